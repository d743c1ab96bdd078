package org.camloss.spark;

import java.util.ArrayList;
import java.util.List;
import org.camloss.cli.Main;

/**
 * The main class of the application jar for {@code spark-submit}: {@code camloss train} with the same arguments
 * ({@code CONFIG [--out DIR] [--set PATH=VALUE]... [--no-progress] [--no-report]}), on the {@code spark} engine unless
 * the arguments name another with {@code --engine} or {@code --set engine.id=...}. Spark's settings come from
 * spark-submit ({@code --master} and {@code --conf spark.*} win over the config's {@code engine.params.master}).
 *
 * <p>Exit status as {@code camloss train}: 0 done, 1 training failed, 2 bad input (config, engine settings, a driver
 * JVM Spark cannot run in), with one message on standard error.
 */
public final class SparkTrain {
    private SparkTrain() {}

    /** The {@code camloss} arguments for {@code args}: {@code train}, then {@code --engine spark} unless chosen. */
    static String[] arguments(String... args) {
        List<String> out = new ArrayList<>();
        out.add("train");
        boolean chosen = false;
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (a.equals("--engine") || a.startsWith("--engine=")) {
                chosen = true;
            }
            if (a.startsWith("engine.id=") && i > 0 && args[i - 1].equals("--set")
                    || a.startsWith("--set=engine.id=")) {
                chosen = true;
            }
        }
        if (!chosen && !helpOnly(args)) {
            out.add("--engine");
            out.add("spark");
        }
        out.addAll(List.of(args));
        return out.toArray(String[]::new);
    }

    private static boolean helpOnly(String[] args) {
        for (String a : args) {
            if (a.equals("--help") || a.equals("-h") || a.equals("--version") || a.equals("-V")) {
                return true;
            }
        }
        return false;
    }

    /** Runs {@code camloss train} with {@link #arguments} and returns its exit status (never exits the JVM). */
    public static int run(String... args) {
        return Main.run(arguments(args));
    }

    /** As {@code camloss train ARGS...} on the spark engine; exits the JVM with the status. */
    public static void main(String[] args) {
        Main.main(arguments(args));
    }
}
