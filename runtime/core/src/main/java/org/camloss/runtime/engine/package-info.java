/**
 * Where the steps of a training epoch run. The ordinary {@code Trainer} steps the model in this process; an
 * {@link org.camloss.runtime.engine.EngineFactory} found with {@link java.util.ServiceLoader} (the Spark engine of
 * module {@code camloss-spark}) trains the same model somewhere else and hands back its parameters. The interfaces
 * carry camloss and JDK types only, so an engine's own library (Spark) never reaches this module or its users.
 */
package org.camloss.runtime.engine;
