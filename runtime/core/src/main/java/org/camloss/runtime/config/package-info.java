/**
 * Experiment configs: loading YAML or JSON plus {@code --set} overrides, validating every value against the
 * declared parameters of plugins and built-in components before anything is built, and writing the fully
 * resolved config back out.
 *
 * <p>{@link org.camloss.runtime.config.ConfigLoader} turns a file into an
 * {@link org.camloss.runtime.config.ExperimentConfig} or throws one
 * {@link org.camloss.runtime.config.ConfigException} that lists every problem at once;
 * {@link org.camloss.runtime.config.ExperimentConfig#toMap()} and
 * {@link org.camloss.runtime.config.ConfigWriter} give back a config that loads to an equal value.
 */
package org.camloss.runtime.config;
