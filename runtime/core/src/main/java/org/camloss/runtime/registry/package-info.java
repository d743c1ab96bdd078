/**
 * The plugin registry: every loss, backbone, regularizer, distiller and dataset factory, looked up by its
 * kebab-case id per {@link org.camloss.runtime.registry.PluginKind}.
 *
 * <p>A {@link org.camloss.runtime.registry.PluginRegistry} is an immutable value built from
 * {@link java.util.ServiceLoader} discovery and/or factories registered by hand; there is no global
 * registry. {@link org.camloss.api.Suggestions} supplies the "did you mean" hints that
 * unknown-id and unknown-key messages share.
 */
package org.camloss.runtime.registry;
