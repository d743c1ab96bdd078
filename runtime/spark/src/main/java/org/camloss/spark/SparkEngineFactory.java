package org.camloss.spark;

import java.util.ArrayList;
import java.util.List;
import org.camloss.api.ParamProblem;
import org.camloss.api.ParamSpec;
import org.camloss.api.Params;
import org.camloss.api.Range;
import org.camloss.api.UserException;
import org.camloss.runtime.engine.EngineFactory;
import org.camloss.runtime.engine.EngineJob;
import org.camloss.runtime.engine.TrainingEngine;
import org.camloss.runtime.registry.PluginKind;
import org.camloss.runtime.registry.PluginRegistry;

/** The {@code spark} engine: parameter averaging with DL4J's Spark training master. */
public final class SparkEngineFactory implements EngineFactory {
    static final String MASTER = "master";
    static final String WORKERS = "workers";
    static final String AVERAGING_FREQUENCY = "averaging_frequency";
    static final String BATCH_PER_WORKER = "batch_per_worker";

    @Override
    public String id() {
        return "spark";
    }

    @Override
    public String description() {
        return "data-parallel training on Apache Spark by parameter averaging (DL4J's SparkComputationGraph)";
    }

    @Override
    public List<ParamSpec> params() {
        return List.of(
                ParamSpec.ofString(
                        MASTER,
                        "local[2]",
                        "Spark master URL: local[N], local-cluster[N,CORES,MB], "
                                + "spark://HOST:PORT, yarn or k8s://...; spark-submit's --master wins when given"),
                ParamSpec.ofInt(
                        WORKERS,
                        2,
                        1,
                        100_000,
                        "workers (partitions trained at once); at most the " + "minibatches per epoch"),
                ParamSpec.ofInt(
                        AVERAGING_FREQUENCY,
                        10,
                        1,
                        1_000_000,
                        "minibatches each worker trains between two "
                                + "parameter averagings; workers rebuild the network every round, so keep it large"),
                ParamSpec.ofInt(
                        BATCH_PER_WORKER,
                        0,
                        Range.closed(0, 1_000_000),
                        "minibatch size of each worker; 0 takes train.batch_size / workers (rounded up), so that an "
                                + "averaged step sees train.batch_size images and an epoch has as many sequential steps "
                                + "as in one process"));
    }

    @Override
    public List<ParamProblem> validate(Params params, EngineJob job) {
        List<ParamProblem> problems = new ArrayList<>();
        missingOpens(System.getProperty("spark.serializer", "")).ifPresent(p -> problems.add(new ParamProblem("", p)));
        String master = params.getString(MASTER);
        MasterUrl.problem(master).ifPresent(p -> problems.add(new ParamProblem(MASTER, p)));
        int batch = batchPerWorker(params, job);
        int train = job.data().train().size();
        int minibatches = (train + batch - 1) / batch;
        int workers = params.getInt(WORKERS);
        if (workers > minibatches) {
            problems.add(new ParamProblem(
                    WORKERS,
                    workers + " workers but the " + train + " training images make only "
                            + minibatches + " minibatches of " + batch + " (" + BATCH_PER_WORKER + "); use at most "
                            + minibatches + " workers or a smaller " + BATCH_PER_WORKER));
        }
        if (!job.config().dataSelection().isAll()) {
            problems.add(new ParamProblem(
                    "",
                    "data.classes / data.train_per_class cannot be partitioned yet: the "
                            + "executors make the dataset from the data node alone; remove them for the spark engine"));
        } else {
            ExecutorData.rebuildProblem(job.config().data(), job.data())
                    .ifPresent(p -> problems.add(new ParamProblem("", p)));
        }
        return problems;
    }

    @Override
    public TrainingEngine start(Params params, EngineJob job) {
        double weightDecay = registry()
                .find(PluginKind.OPTIMIZER, job.config().optimizer().id())
                .orElseThrow()
                .create(job.config().optimizer().toParams())
                .weightDecay();
        String master = params.getString(MASTER);
        try {
            return new SparkEngine(
                    job,
                    master,
                    params.getInt(WORKERS),
                    params.getInt(AVERAGING_FREQUENCY),
                    batchPerWorker(params, job),
                    weightDecay);
        } catch (Exception | AssertionError e) {
            // Scala code throws the checked SparkException undeclared, and some of Spark's checks are Scala asserts
            throw new UserException(
                    "engine.params.master: Spark could not start on '" + master + "': " + e.getMessage(), e);
        }
    }

    /**
     * {@code batch_per_worker}, or for 0 {@code ceil(train.batch_size / workers)}: measured on the reference recipe
     * (README "Training on Spark"), two workers at 128 each (half the sequential steps) ended 5.7 points below one
     * process after 4 epochs, at 64 each 1.5 points.
     */
    static int batchPerWorker(Params params, EngineJob job) {
        int b = params.getInt(BATCH_PER_WORKER);
        int workers = params.getInt(WORKERS);
        return b > 0 ? b : (job.config().train().batchSize() + workers - 1) / workers;
    }

    private static PluginRegistry registry() {
        return PluginRegistry.discover(SparkEngineFactory.class.getClassLoader());
    }

    /**
     * Why this JVM cannot run a Spark driver on Java 17, or empty: Spark reaches into {@code java.base}'s
     * {@code sun.nio.ch} when its context starts, Kryo with ND4J's registrator also into {@code java.lang.invoke},
     * {@code java.util} and {@code java.util.concurrent.atomic}; without {@code --add-opens} the context dies with an
     * {@code IllegalAccessError}. spark-submit 3.3 and newer add these flags itself.
     *
     * @param serializer the {@code spark.serializer} setting, "" when unset (Java serialisation)
     */
    static java.util.Optional<String> missingOpens(String serializer) {
        List<String> needed = new ArrayList<>(List.of("sun.nio.ch"));
        if (serializer.contains("Kryo")) {
            needed.addAll(List.of("java.lang.invoke", "java.util", "java.util.concurrent.atomic"));
        }
        Module base = Object.class.getModule();
        Module self = SparkEngineFactory.class.getModule();
        List<String> missing = new ArrayList<>();
        for (String pkg : needed) {
            if (!base.isOpen(pkg, self)) {
                missing.add("--add-opens=java.base/" + pkg + "=ALL-UNNAMED");
            }
        }
        if (missing.isEmpty()) {
            return java.util.Optional.empty();
        }
        return java.util.Optional.of("this JVM cannot run a Spark driver on Java "
                + Runtime.version().feature()
                + ": it lacks " + String.join(" ", missing) + "; start it with these flags (spark-submit 3.3 and "
                + "newer adds them; with java directly, put them on its command line)");
    }
}
