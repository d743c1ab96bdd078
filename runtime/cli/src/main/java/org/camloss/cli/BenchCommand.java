package org.camloss.cli;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.File;
import java.io.IOException;
import java.io.PrintWriter;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import org.camloss.api.UserException;
import org.camloss.cli.bench.BenchCase;
import org.camloss.cli.bench.Benchmark;
import org.camloss.engine.Backend;
import org.camloss.runtime.run.Json;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code camloss bench}: training and inference throughput, CAM-loss overhead, first step, peak memory. */
@Command(
        name = "bench",
        mixinStandardHelpOptions = true,
        description = {
            "Measure training-step and inference throughput (median, min and max over timed steps after "
                    + "warm-up), the CAM-loss overhead against cross-entropy (a cross-entropy twin stepped alternately "
                    + "with the model in one JVM), time to the first step and peak memory, each case in a fresh JVM; with PyTorch installed (apt-get install python3-torch) the same "
                    + "network is timed in PyTorch side by side. Default cases: ResNet-8 28x28x1 and ResNet-20 "
                    + "32x32x3, batch 128, cross-entropy and CAM-loss."
        })
final class BenchCommand implements Callable<Integer> {
    @picocli.CommandLine.ParentCommand
    Main main;

    private static final ObjectMapper JSON = new ObjectMapper();

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Option(names = "--backbone", paramLabel = "ID", description = "Backbone id (default: the two default cases).")
    String backbone;

    @Option(names = "--depth", description = "Backbone depth (0: the backbone's default).", defaultValue = "0")
    int depth;

    @Option(
            names = "--param",
            paramLabel = "NAME=VALUE",
            description = "Further backbone param (repeatable), "
                    + "e.g. --param zoo=simple-cnn --param vertex=layer11 for dl4j-graph.")
    Map<String, String> params = new LinkedHashMap<>();

    @Option(
            names = "--input",
            paramLabel = "HxWxC",
            description = "Input size (default: ${DEFAULT-VALUE}).",
            defaultValue = "32x32x3")
    String input;

    @Option(names = "--batch", description = "Batch size (default: ${DEFAULT-VALUE}).", defaultValue = "128")
    int batch;

    @Option(names = "--loss", split = ",", description = "Losses (default: cross-entropy,cam-loss).")
    List<String> losses = new ArrayList<>(List.of("cross-entropy", "cam-loss"));

    @Option(names = "--steps", description = "Timed steps (default: ${DEFAULT-VALUE}).", defaultValue = "40")
    int steps;

    @Option(
            names = "--warmup",
            description = "Untimed warm-up steps (default: ${DEFAULT-VALUE}; the JVM's JIT needs "
                    + "about 30 steps to reach a steady step time).",
            defaultValue = "30")
    int warmup;

    @Option(
            names = "--infer-steps",
            description =
                    "Timed inference passes (default: 4 x --steps; a pass is " + "about a quarter of a training step).",
            defaultValue = "0")
    int inferSteps;

    @Option(names = "--json", paramLabel = "FILE", description = "Also write the cases as a JSON list to FILE.")
    Path json;

    @Option(names = "--no-torch", description = "Skip the PyTorch comparison.")
    boolean noTorch;

    @Option(
            names = "--no-fork",
            description = "Run every case in this JVM (first-step and memory figures then " + "include earlier cases).")
    boolean noFork;

    @Option(names = "--single", hidden = true)
    boolean single;

    @Override
    public Integer call() throws Exception {
        if (steps < 1 || steps > 100000) {
            throw new UserException("--steps: must be in [1, 100000], found " + steps);
        }
        if (inferSteps < 0 || inferSteps > 400000) {
            throw new UserException("--infer-steps: must be in [0, 400000] (0: 4 x --steps), found " + inferSteps);
        }
        if (inferSteps == 0) {
            inferSteps = 4 * steps;
        }
        if (warmup < 0 || batch < 1) {
            throw new UserException("--warmup must be >= 0 and --batch >= 1, found " + warmup + " and " + batch);
        }
        List<BenchCase> cases = cases();
        if (single) {
            Map<String, Object> row =
                    new Benchmark(main.camloss().registry(), warmup, steps, inferSteps).run(cases.get(0));
            Json.write(json, List.of(row));
            return 0;
        }
        PrintWriter out = spec.commandLine().getOut();
        List<Map<String, Object>> rows = new ArrayList<>();
        Benchmark inProcess = noFork ? new Benchmark(main.camloss().registry(), warmup, steps, inferSteps) : null;
        for (BenchCase c : cases) {
            System.err.println("bench: " + c.label() + " ...");
            Map<String, Object> row = noFork ? inProcess.run(c) : forked(c);
            if (!noTorch) {
                row.putAll(torch(c, ((Number) row.get("threads")).intValue()));
            }
            rows.add(row);
        }
        addOverheads(rows);
        out.print(table(rows));
        if (json != null) {
            Json.write(json, rows);
            out.println("written: " + json);
        }
        return 0;
    }

    private List<BenchCase> cases() {
        int[] hwc = parseInput(input);
        List<BenchCase> cases = new ArrayList<>();
        for (String loss : losses) {
            if (backbone == null) {
                cases.add(new BenchCase("resnet-cifar", 8, 28, 28, 1, batch, loss));
                cases.add(new BenchCase("resnet-cifar", 20, 32, 32, 3, batch, loss));
            } else {
                cases.add(new BenchCase(backbone, depth, hwc[0], hwc[1], hwc[2], batch, loss, Map.copyOf(params)));
            }
        }
        cases.sort(java.util.Comparator.comparing((BenchCase c) -> c.backbone() + c.depth() + c.input()));
        return cases;
    }

    static int[] parseInput(String s) {
        String[] p = s.split("x");
        if (p.length != 3) {
            throw new UserException("--input: must be HxWxC, e.g. 32x32x3, found '" + s + "'");
        }
        int[] v = new int[3];
        for (int i = 0; i < 3; i++) {
            try {
                v[i] = Integer.parseInt(p[i]);
            } catch (NumberFormatException e) {
                throw new UserException("--input: must be HxWxC, e.g. 32x32x3, found '" + s + "'");
            }
            if (v[i] < 1 || (i < 2 && v[i] < 8)) {
                throw new UserException("--input: height and width must be >= 8 and channels >= 1, found '" + s + "'");
            }
        }
        return v;
    }

    private Map<String, Object> forked(BenchCase c) throws IOException, InterruptedException {
        Path tmp = Files.createTempFile("camloss-bench", ".json");
        try {
            List<String> cmd = new ArrayList<>();
            cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
            for (String arg : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
                if (!arg.startsWith("-agentlib") && !arg.startsWith("-javaagent")) {
                    cmd.add(arg);
                }
            }
            cmd.addAll(List.of(
                    "-cp",
                    System.getProperty("java.class.path"),
                    Main.class.getName(),
                    "bench",
                    "--single",
                    "--backbone",
                    c.backbone(),
                    "--depth",
                    Integer.toString(c.depth()),
                    "--input",
                    c.input(),
                    "--batch",
                    Integer.toString(c.batch()),
                    "--loss",
                    c.loss(),
                    "--steps",
                    Integer.toString(steps),
                    "--warmup",
                    Integer.toString(warmup),
                    "--infer-steps",
                    Integer.toString(inferSteps),
                    "--json",
                    tmp.toString()));
            c.params().forEach((k, v) -> cmd.addAll(List.of("--param", k + "=" + v)));
            main.plugins.forEach(path -> cmd.addAll(List.of("--plugins", path.toString())));
            Process p = new ProcessBuilder(cmd).inheritIO().start();
            int rc = p.waitFor();
            if (rc != 0) {
                throw new UserException("bench: the case " + c.label() + " failed (exit " + rc + ")");
            }
            List<Map<String, Object>> rows =
                    JSON.readValue(tmp.toFile(), new TypeReference<List<Map<String, Object>>>() {});
            return new LinkedHashMap<>(rows.get(0));
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    /** Times the PyTorch twin; returns its fields, or a note why it did not run. */
    private Map<String, Object> torch(BenchCase c, int threads) {
        Map<String, Object> r = new LinkedHashMap<>();
        if (!c.backbone().equals("resnet-cifar")) {
            r.put("torch_note", "the PyTorch twin exists for resnet-cifar only");
            return r;
        }
        Path script = Path.of(System.getProperty("camloss.home", "."), "bench", "torch_bench.py");
        if (!Files.isRegularFile(script)) {
            r.put("torch_note", "script not found: " + script);
            return r;
        }
        String python = new File("/usr/bin/python3").canExecute() ? "/usr/bin/python3" : "python3";
        try {
            Process p = new ProcessBuilder(
                            python,
                            script.toString(),
                            "--depth",
                            Integer.toString(c.depth() > 0 ? c.depth() : 20),
                            "--input",
                            c.input(),
                            "--batch",
                            Integer.toString(c.batch()),
                            "--loss",
                            c.loss(),
                            "--steps",
                            Integer.toString(steps),
                            "--warmup",
                            Integer.toString(warmup),
                            "--infer-steps",
                            Integer.toString(inferSteps),
                            "--threads",
                            Integer.toString(threads))
                    .redirectErrorStream(true)
                    .start();
            String outText = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(15, TimeUnit.MINUTES) || p.exitValue() != 0) {
                String last = outText.strip();
                last = last.substring(Math.max(0, last.lastIndexOf('\n') + 1));
                r.put("torch_note", "PyTorch unavailable or failed: " + last);
                return r;
            }
            String line = outText.strip();
            line = line.substring(line.lastIndexOf('\n') + 1);
            r.putAll(JSON.readValue(line, new TypeReference<Map<String, Object>>() {}));
            r.remove("threads");
        } catch (IOException e) {
            r.put("torch_note", "PyTorch unavailable: " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            r.put("torch_note", "interrupted");
        }
        return r;
    }

    /**
     * Adds {@code cam_overhead} (step-time increase of CAM-loss over cross-entropy) to CAM-loss rows that do not
     * have the interleaved measurement already, from the two cases' medians.
     */
    static void addOverheads(List<Map<String, Object>> rows) {
        for (Map<String, Object> cam : rows) {
            if (!"cam-loss".equals(cam.get("loss")) || cam.get("cam_overhead") != null) {
                continue;
            }
            for (Map<String, Object> ce : rows) {
                if ("cross-entropy".equals(ce.get("loss"))
                        && ce.get("backbone").equals(cam.get("backbone"))
                        && ce.get("input").equals(cam.get("input"))
                        && ce.get("batch").equals(cam.get("batch"))) {
                    double a = ((Number) ce.get("train_images_per_sec")).doubleValue();
                    double b = ((Number) cam.get("train_images_per_sec")).doubleValue();
                    cam.put("cam_overhead", a / b - 1);
                }
            }
        }
    }

    private static String table(List<Map<String, Object>> rows) {
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(
                Locale.ROOT,
                "%-18s %-9s %5s %-13s %8s %16s %10s %9s %8s %9s %8s %7s%n",
                "backbone",
                "input",
                "batch",
                "loss",
                "backend",
                "train img/s",
                "infer",
                "torch trn",
                "torch inf",
                "vs CE",
                "1st s",
                "RSS MB"));
        for (Map<String, Object> r : rows) {
            sb.append(String.format(
                    Locale.ROOT,
                    "%-18s %-9s %5s %-13s %8s %16s %10.0f %9s %8s %9s %8.2f %7.0f%n",
                    r.get("backbone"),
                    r.get("input"),
                    r.get("batch"),
                    r.get("loss"),
                    r.get("backend"),
                    String.format(
                            Locale.ROOT,
                            "%.0f [%.0f-%.0f]",
                            num(r, "train_images_per_sec"),
                            num(r, "train_images_per_sec_min"),
                            num(r, "train_images_per_sec_max")),
                    num(r, "infer_images_per_sec"),
                    fmt(r, "torch_train_images_per_sec", "%.0f"),
                    fmt(r, "torch_infer_images_per_sec", "%.0f"),
                    fmt(r, "overhead_vs_cross_entropy", "%+.1f%%", 100),
                    num(r, "first_step_seconds"),
                    num(r, "peak_rss_mb")));
        }
        for (Map<String, Object> r : rows) {
            if (r.get("torch_note") != null) {
                sb.append("note: ").append(r.get("torch_note")).append('\n');
                break;
            }
        }
        sb.append("backend ")
                .append(Backend.name())
                .append(", ")
                .append(Backend.threads())
                .append(" threads\n");
        return sb.toString();
    }

    private static double num(Map<String, Object> r, String key) {
        return r.get(key) instanceof Number n ? n.doubleValue() : Double.NaN;
    }

    private static String fmt(Map<String, Object> r, String key, String format) {
        return fmt(r, key, format, 1);
    }

    private static String fmt(Map<String, Object> r, String key, String format, double scale) {
        return r.get(key) instanceof Number n ? String.format(Locale.ROOT, format, n.doubleValue() * scale) : "-";
    }
}
