/** Distillation plumbing: the frozen teacher and how its signals reach the student's distillers. */
package org.camloss.runtime.distill;
