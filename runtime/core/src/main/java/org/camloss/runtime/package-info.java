/**
 * The camloss runtime: the {@link org.camloss.runtime.Camloss} facade that validates experiment configs,
 * wires plugins (Guice, internally), trains into run directories and evaluates runs.
 */
package org.camloss.runtime;
