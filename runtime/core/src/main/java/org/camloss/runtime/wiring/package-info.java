/**
 * How one experiment is put together: {@link org.camloss.runtime.wiring.ExperimentParts} makes the plugin instances a
 * validated config names (every refusal reported at once), and {@link org.camloss.runtime.wiring.Wiring} assembles the
 * model and trainer of a run with Guice. Guice stays inside this package.
 */
package org.camloss.runtime.wiring;
