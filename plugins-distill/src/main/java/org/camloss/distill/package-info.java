/**
 * The distiller plugins: {@code caam-cam} pulls the student's CAAM towards the frozen teacher's target CAM,
 * {@code kd} is Hinton's logit distillation.
 *
 * <p>Both read the teacher's outputs as constants from {@link org.camloss.api.TeacherOutputs}; the
 * runtime loads the teacher, runs it on the student's batch and resizes its maps to the student's size.
 */
package org.camloss.distill;
