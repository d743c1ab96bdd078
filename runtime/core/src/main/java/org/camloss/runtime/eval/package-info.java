/** Localization metrics of class activation maps against target-object masks: pointing game, energy inside the mask, IoU. */
package org.camloss.runtime.eval;
