/**
 * Contract tests for camloss plugins: abstract JUnit 5 classes that every plugin's test extends.
 *
 * <p>{@link org.camloss.testkit.PluginContract} holds the checks every plugin kind shares (kebab-case id,
 * discovery through {@link java.util.ServiceLoader}, declared parameters); the kind-specific contracts,
 * such as {@link org.camloss.testkit.BackboneContract}, extend it with checks of the plugin's behaviour
 * in a real model. A plugin author subclasses one and returns the factory under test.
 */
package org.camloss.testkit;
