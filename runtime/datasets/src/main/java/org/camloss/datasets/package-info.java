/** Built-in dataset plugins: the synthetic {@code shapes} dataset with target-object masks. */
package org.camloss.datasets;
