/**
 * The Spark engine: data-parallel training of an experiment config with DL4J's {@code SparkComputationGraph} and
 * {@code ParameterAveragingTrainingMaster} (issue 17). Every Spark and dl4j-spark type stays in this package, behind
 * {@link org.camloss.runtime.engine.TrainingEngine}; DL4J's maintainers plan to rewrite their Spark modules.
 *
 * <p>One epoch, in order:
 * <ol>
 *   <li>{@link SparkEngine#trainEpoch} shuffles the training indices on the driver exactly as the single-process
 *       trainer does and cuts them into minibatches of {@code batch_per_worker} indices; only these index lists go to
 *       Spark, spread over {@code workers} partitions.</li>
 *   <li>{@link ExecutorData} turns each index list into a DataSet on the executor, from a dataset plugin made there
 *       from the config's {@code data} node (once per executor JVM), so the driver never holds the images twice; in
 *       {@code local[N]} the executors share the driver's dataset ({@code DatasetCache}). Before anything starts,
 *       the factory checks that the plugin made again from the node gives the same training split.</li>
 *   <li>DL4J's parameter averaging broadcasts the driver's parameters and updater state; each worker rebuilds the
 *       graph from its configuration, which carries no objective (objectives are not serialised). Before the first
 *       step of each rebuilt graph {@link ExecutorObjective} — a DL4J training hook — makes the objective from the
 *       config's loss and regularizer nodes and gives it to the head, as {@code CamModel.setObjective} does for a
 *       model read from a file, attaches the coupled weight decay the driver's graph has as a listener, installs
 *       camloss's host-loop updater on the state DL4J set from the broadcast ({@code HostGraphUpdater}), and sets the
 *       graph's iteration and epoch counts to the driver's (DL4J's rebuilt graphs start at 0, so learning-rate
 *       schedules would never advance on the workers).</li>
 *   <li>Every {@code averaging_frequency} minibatches per worker, the parameters and updater states are averaged
 *       into the driver's graph; the driver's model is then evaluated, checkpointed and saved as usual.</li>
 * </ol>
 *
 * <p>{@link SparkTrain} is the main class of the application jar ({@code mvn -Pspark package}): {@code camloss train}
 * on this engine, for {@code spark-submit}.
 */
package org.camloss.spark;
