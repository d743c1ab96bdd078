/**
 * Class activation maps (CAM, CAAM) and their normalisation, shared by losses, distillers and evaluation; and the
 * extension point for CAM methods ({@link org.camloss.api.cam.CamMethodFactory} → {@link
 * org.camloss.api.cam.CamMethod}, reading a {@link org.camloss.api.cam.CamContext}) that {@code camloss explain}
 * and the faithfulness metrics run.
 */
package org.camloss.api.cam;
