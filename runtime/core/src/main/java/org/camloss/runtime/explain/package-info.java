/**
 * {@code camloss explain}: class activation maps of any image for camloss runs and plain DL4J graphs, with every
 * installed CAM method ({@link org.camloss.api.cam.CamMethodFactory}), their overlays and raw maps, and faithfulness
 * metrics ({@link org.camloss.runtime.explain.Faithfulness}); see {@link org.camloss.runtime.explain.Explain}.
 */
package org.camloss.runtime.explain;
