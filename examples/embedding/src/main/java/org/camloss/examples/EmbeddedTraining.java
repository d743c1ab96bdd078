package org.camloss.examples;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.camloss.api.CamlossException;
import org.camloss.api.UserException;
import org.camloss.runtime.Camloss;
import org.camloss.runtime.RuntimeSettings;
import org.camloss.runtime.config.ExperimentConfig;
import org.camloss.runtime.train.EpochStats;
import org.camloss.runtime.train.TrainListener;

/**
 * Embedding camloss in an application: build an experiment from plain maps (no file), train it with a
 * listener, and read the results back — no console output from the library, no {@code System.exit}.
 *
 * <p>The application depends on {@code camloss-runtime} alone (which brings the built-in plugins); it chooses the
 * process-wide settings itself ({@link RuntimeSettings}) and handles every camloss error through one type
 * ({@link CamlossException}: {@link UserException} for bad input, a failed or cancelled run otherwise).
 *
 * <p>Run from an IDE, or: {@code mvn -q dependency:build-classpath -pl examples/embedding -Dmdep.outputFile=cp.txt}
 * then {@code java -cp examples/embedding/target/classes:$(cat examples/embedding/cp.txt)
 * org.camloss.examples.EmbeddedTraining}.
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
        Camloss camloss = Camloss.builder()
                .listener(printer)
                .runsRoot(runs)
                // opt in to DL4J's oneDNN helpers, ND4J threads by batch size and a GC every 5 s, as the CLI does;
                // the default, RuntimeSettings.library(), changes nothing process-wide
                .settings(RuntimeSettings.commandLine())
                .build();
        try {
            run(camloss);
        } catch (UserException e) {
            System.err.println("bad input: " + e.getMessage()); // a config problem, a data file, a plugin jar
        } catch (CamlossException e) {
            System.err.println("the run failed: " + e.getMessage()); // diverged, a plugin failed, or cancelled
        }
    }

    private static void run(Camloss camloss) {
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
