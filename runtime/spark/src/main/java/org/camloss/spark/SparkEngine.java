package org.camloss.spark;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.camloss.api.data.DataSplit;
import org.camloss.runtime.engine.EngineJob;
import org.camloss.runtime.engine.EpochOutcome;
import org.camloss.runtime.engine.TrainingEngine;
import org.camloss.runtime.train.Batches;
import org.camloss.runtime.train.TrainingFailedException;
import org.deeplearning4j.spark.api.RDDTrainingApproach;
import org.deeplearning4j.spark.api.Repartition;
import org.deeplearning4j.spark.impl.graph.SparkComputationGraph;
import org.deeplearning4j.spark.impl.paramavg.ParameterAveragingTrainingMaster;
import org.nd4j.linalg.dataset.DataSet;

/**
 * Trains a job's model by parameter averaging on Spark; see the package comment for one epoch step by step. The
 * driver's graph is the job's model itself: after each epoch it holds the averaged parameters and updater state.
 */
final class SparkEngine implements TrainingEngine {
    /**
     * JVM flags Spark 3.5 needs on Java 17 (issue 17's probe); given to executor JVMs of {@code local-cluster} and
     * real clusters unless the user set {@code spark.executor.extraJavaOptions}. The driver needs them on its own
     * command line (surefire's argLine, spark-submit's {@code --driver-java-options}).
     */
    static final String JAVA17_OPENS =
            "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED --add-opens=java.base/java.nio=ALL-UNNAMED "
                    + "--add-opens=java.base/java.lang.invoke=ALL-UNNAMED --add-opens=java.base/java.util=ALL-UNNAMED "
                    + "--add-opens=java.base/java.util.concurrent.atomic=ALL-UNNAMED --add-opens=java.base/java.lang=ALL-UNNAMED";

    private final EngineJob job;
    private final String master;
    private final int workers;
    private final int averagingFrequency;
    private final int batchPerWorker;
    private final JavaSparkContext sc;
    private final SparkComputationGraph sparkGraph;
    private final ExecutorObjective hook;
    /** The distillation teacher as the executors load it, or null. */
    private final ExecutorTeacher teacher;
    /** The workers' minibatches of the running epoch (size, loss, terms), reset before each epoch. */
    private final org.apache.spark.util.CollectionAccumulator<ExecutorObjective.Step> steps;

    private long rounds;
    private List<Integer> lastIterations = List.of();
    /** Most executor JVMs besides the driver seen at an epoch's end (0 in local[N], whose tasks run in the driver). */
    private int executorJvms;

    SparkEngine(
            EngineJob job, String master, int workers, int averagingFrequency, int batchPerWorker, double weightDecay) {
        this.job = job;
        this.workers = workers;
        this.averagingFrequency = averagingFrequency;
        this.batchPerWorker = batchPerWorker;
        SparkConf conf = new SparkConf()
                .setIfMissing("spark.master", master)
                .setIfMissing("spark.app.name", "camloss " + job.config().name())
                .setIfMissing("spark.ui.enabled", "false")
                .setIfMissing("spark.executor.extraJavaOptions", JAVA17_OPENS);
        this.master = conf.get("spark.master");
        if (this.master.equals("local") || this.master.startsWith("local[")) {
            DatasetCache.put(Specs.of(job.config().data()), job.data());
        }
        this.sc = new JavaSparkContext(conf);
        this.teacher = job.teacher()
                .map(t -> ExecutorTeacher.of(job.config().distill().orElseThrow(), t))
                .orElse(null);
        this.hook = new ExecutorObjective(
                Specs.of(job.config().loss()),
                Specs.of(job.config().regularizers()),
                weightDecay,
                job.model().objective().pixelGrid().orElse(null),
                job.config().distill().map(d -> Specs.of(d.distillers())).orElse(List.of()),
                teacher == null ? null : teacher.columns());
        this.steps = sc.sc().collectionAccumulator("camloss minibatches");
        hook.collect(steps);
        hook.follow(job.model().graph().getConfiguration());
        ParameterAveragingTrainingMaster tm = new ParameterAveragingTrainingMaster.Builder(workers, batchPerWorker)
                .batchSizePerWorker(batchPerWorker)
                .averagingFrequency(averagingFrequency)
                .workerPrefetchNumBatches(0)
                .saveUpdater(true)
                .repartionData(Repartition.NumPartitionsWorkersDiffers)
                .rddTrainingApproach(RDDTrainingApproach.Direct)
                .rngSeed(job.config().seed())
                .trainingHooks(hook)
                .build();
        this.sparkGraph = new SparkComputationGraph(sc, job.model().graph(), tm);
    }

    @Override
    public EpochOutcome trainEpoch(int epoch) {
        long start = System.nanoTime();
        DataSplit train = job.data().train();
        Batches batches =
                new Batches(train, job.data().info().shape(), job.data().info().numClasses(), batchPerWorker);
        int[] order = batches.shuffled(job.config().seed(), epoch);
        List<ExecutorData.Chunk> chunks = new ArrayList<>();
        for (int b = 0; b < batches.count(); b++) {
            chunks.add(new ExecutorData.Chunk(b, batches.indices(order, b)));
        }
        job.model().objective().setEpoch(epoch);
        hook.epoch(epoch);
        // the schedule's position at the epoch's start, as in one process (also after a resume); every round's tasks
        // carry the driver's count to the workers (ExecutorObjective), which DL4J advances by averaging_frequency
        int scheduleSteps = scheduleSteps(train);
        job.model().graph().getConfiguration().setIterationCount(epoch * scheduleSteps);
        job.model().graph().getConfiguration().setEpochCount(epoch);
        steps.reset();
        JavaRDD<DataSet> data = sc.parallelize(chunks, workers)
                .mapPartitions(new ExecutorData(
                        Specs.of(job.config().data()),
                        Specs.of(job.config().regularizers()),
                        job.model().objective().pixelGrid().orElse(null),
                        teacher,
                        job.config().seed(),
                        epoch));
        try {
            sparkGraph.fit(data);
        } catch (RuntimeException e) {
            throw new TrainingFailedException("epoch " + (epoch + 1) + ": the Spark job failed: " + e.getMessage(), e);
        }
        // DL4J advances the driver's iteration count by the steps of one worker (workers train side by side), but
        // the learning-rate schedule was made for train.batch_size steps per epoch in one process: without this, the
        // schedule would run at 1/workers speed. Within an epoch the rate still moves one step per worker step.
        job.model().graph().getConfiguration().setIterationCount((epoch + 1) * scheduleSteps);
        executorJvms = Math.max(executorJvms, sc.sc().statusTracker().getExecutorInfos().length - 1);
        // the epoch's means over every worker's minibatches, weighted by size, as the single-process trainer's row
        double lossSum = 0;
        long seen = 0;
        Map<String, Double> termSums = new LinkedHashMap<>();
        for (ExecutorObjective.Step s : steps.value()) {
            lossSum += s.loss() * s.examples();
            seen += s.examples();
            s.terms().forEach((k, v) -> termSums.merge(k, v * s.examples(), Double::sum));
        }
        lastIterations = steps.value().stream()
                .map(ExecutorObjective.Step::iteration)
                .distinct()
                .sorted()
                .toList();
        double loss = seen > 0 ? lossSum / seen : sparkGraph.getScore();
        if (!Double.isFinite(loss)) {
            throw new TrainingFailedException("epoch " + (epoch + 1) + ": the workers' mean loss is " + loss);
        }
        Map<String, Double> terms = new LinkedHashMap<>();
        long n = seen;
        termSums.forEach((k, v) -> terms.put(k, v / n));
        long perRound = (long) workers * averagingFrequency;
        rounds += (chunks.size() + perRound - 1) / perRound;
        return new EpochOutcome(chunks.size(), train.size(), loss, (System.nanoTime() - start) / 1e9, terms);
    }

    /** The steps of one process's schedule per epoch: {@code ceil(training images / train.batch_size)}. */
    private int scheduleSteps(DataSplit train) {
        return (train.size() + job.config().train().batchSize() - 1)
                / job.config().train().batchSize();
    }

    /** The distinct iteration counts (schedule positions) the workers' updaters used in the last epoch, ascending. */
    List<Integer> lastIterations() {
        return lastIterations;
    }

    @Override
    public Map<String, Object> provenance() {
        Map<String, Object> p = new LinkedHashMap<>();
        p.put("engine", "spark");
        p.put("master", master);
        p.put("workers", workers);
        p.put("averaging_frequency", averagingFrequency);
        p.put("batch_per_worker", batchPerWorker);
        p.put("rounds", rounds);
        p.put("executor_jvms", executorJvms);
        p.put("spark_version", sc.version());
        return p;
    }

    @Override
    public void close() {
        DatasetCache.forget(job.data());
        sc.stop();
    }
}
