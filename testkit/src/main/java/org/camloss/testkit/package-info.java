/**
 * Contract tests for camloss plugins: abstract JUnit 5 classes that every plugin's test extends.
 *
 * <p>{@link org.camloss.testkit.PluginContract} holds the checks every plugin kind shares (kebab-case id,
 * discovery through {@link java.util.ServiceLoader}, declared parameters); the kind-specific contracts,
 * such as {@link org.camloss.testkit.BackboneContract}, extend it with checks of the plugin's behaviour
 * in a real model. A plugin author subclasses one and returns the factory under test.
 *
 * <h2>The kit runs a plugin as the runtime does</h2>
 * <ul>
 *   <li><b>Backend.</b> Loading {@code PluginContract} (the superclass of every contract, so before any test of the
 *       plugin runs) calls {@link org.camloss.engine.Backend#init()}, exactly what the runtime calls: it sets the
 *       system property {@code org.eclipse.deeplearning4j.helpers.disable=false} unless the JVM already has a value,
 *       and loads the ND4J backend. DL4J 1.0.0-M2.1 reads that property each time it instantiates a convolution,
 *       pooling, batch-norm, LRN or LSTM layer (when a model is initialised), so every model a contract builds runs on the
 *       oneDNN helpers, as in training, whether or not the plugin project's surefire {@code argLine} sets the
 *       property. An explicit {@code -Dorg.eclipse.deeplearning4j.helpers.disable=true} is honoured, as the runtime
 *       honours it, and {@code BackboneContract} then fails with a message saying so.</li>
 *   <li><b>Layout.</b> Models are assembled by the runtime's {@link org.camloss.engine.model.ModelAssembler} in NHWC
 *       ([N, H, W, C] images and feature maps), in float, with workspaces on; losses, regularizer penalties and
 *       distillers see NCHW feature maps [N, C, H, W], as the head hands them over; batch transforms get NHWC
 *       features.</li>
 *   <li><b>Declarations.</b> The assembler compares a backbone's declared channels, stride and stages with the graph,
 *       as the runtime does, and the backbone contract names the plugin in that message.</li>
 * </ul>
 *
 * <h2>Checks that do not apply are skipped</h2>
 * A check that has nothing to check for a plugin is reported as skipped (a JUnit assumption), never as passed: the
 * kernel comparison for a loss without term kernels, batch-transform checks for a regularizer that only adds penalty
 * terms, penalty checks for one that only transforms batches.
 */
package org.camloss.testkit;
