package org.camloss.examples;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.camloss.runtime.Camloss;
import org.camloss.runtime.config.ExperimentConfig;
import org.camloss.runtime.train.EpochStats;
import org.camloss.runtime.train.TrainListener;

/**
 * Embedding camloss in an application: build an experiment from plain maps (no file), train it with a
 * listener, and read the results back — no console output from the library, no {@code System.exit}.
 *
 * <p>Run: {@code mvn -q -pl examples exec:java -Dexec.mainClass=org.camloss.examples.EmbeddedTraining} or
 * from an IDE.
 */
public final class EmbeddedTraining {
    private EmbeddedTraining() {}

    public static void main(String[] args) throws Exception {
        TrainListener printer = new TrainListener() {
            @Override
            public void onEpochEnd(EpochStats s) {
                System.out.printf(
                        Locale.ROOT,
                        "epoch %d: loss %.4f, test accuracy %.3f, CAAM pointing %.3f%n",
                        s.epoch(),
                        s.get("train_loss"),
                        s.get("test_accuracy"),
                        s.get("test_caam_pointing"));
            }
        };
        Path runs = Files.createTempDirectory("camloss-embedded");
        Camloss camloss = Camloss.builder().listener(printer).runsRoot(runs).build();
        ExperimentConfig config = camloss.config(
                Map.of(
                        "name", "embedded",
                        "data", Map.of("id", "shapes", "params", Map.of("train", 512, "test", 256)),
                        "backbone", Map.of("id", "resnet-cifar", "params", Map.of("depth", 8)),
                        "loss", Map.of("id", "cam-loss", "params", Map.of("alpha", 1.0)),
                        "train", Map.of("epochs", 2, "batch_size", 64)),
                List.of());
        Camloss.TrainResult result = camloss.train(config, null);
        System.out.println("final metrics: " + result.summary().last());
        System.out.println("run directory: " + result.runDir());
    }
}
