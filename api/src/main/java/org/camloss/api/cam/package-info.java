/** Class activation maps (CAM, CAAM) and their normalisation, shared by losses, distillers and evaluation. */
package org.camloss.api.cam;
