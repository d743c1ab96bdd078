/** Run directories: resolved config and provenance, per-epoch metrics, the model, atomic writes. */
package org.camloss.runtime.run;
