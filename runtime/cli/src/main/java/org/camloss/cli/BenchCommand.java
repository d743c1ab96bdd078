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
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import org.camloss.api.UserException;
import org.camloss.cli.bench.BenchBatch;
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
                    + "with the model in one JVM), time to the first step and peak memory, each case in a fresh JVM. "
                    + "With PyTorch installed (apt-get install python3-torch) its twin of the network "
                    + "(bench/torch_bench.py) trains on the same batch with the same hyper-parameters in its own "
                    + "process, in its fastest settings (tcmalloc when installed; NCHW or channels-last training "
                    + "and eager, frozen or optimize_for_inference inference, each timed and the fastest "
                    + "reported); camloss and PyTorch alternate (A B, then B A) over --rounds rounds and the ratio is "
                    + "the median of the per-round ratios, with its range. Default cases: ResNet-8 28x28x1 "
                    + "(Fashion-MNIST when installed) and ResNet-20 32x32x3 (shapes), batch 128, cross-entropy "
                    + "and CAM-loss; method and figures in docs/performance.md."
        })
final class BenchCommand implements Callable<Integer> {
    @picocli.CommandLine.ParentCommand
    Main main;

    private static final ObjectMapper JSON = new ObjectMapper();
    /** Largest {@code --threads} count accepted. */
    static final int MAX_THREADS = 1024;

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Option(names = "--backbone", paramLabel = "ID", description = "Backbone id (default: the two default cases).")
    String backbone;

    @Option(
            names = "--depth",
            description = "The --backbone case's depth (0: the backbone's default).",
            defaultValue = "0")
    int depth;

    @Option(
            names = "--param",
            paramLabel = "NAME=VALUE",
            description = "Further parameter of the --backbone case (repeatable), "
                    + "e.g. --param zoo=simple-cnn --param vertex=layer11 for dl4j-graph.")
    Map<String, String> params = new LinkedHashMap<>();

    @Option(
            names = "--input",
            paramLabel = "HxWxC",
            description = "The --backbone case's input size (default: ${DEFAULT-VALUE}).",
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

    @Option(
            names = "--rounds",
            description = "Rounds per case, each a fresh camloss JVM and a fresh PyTorch process in alternating "
                    + "order (default: ${DEFAULT-VALUE}).",
            defaultValue = "5")
    int rounds;

    @Option(
            names = "--data",
            paramLabel = "SOURCE",
            description = "The batch both frameworks train on: auto (Fashion-MNIST for 28x28x1 when installed, "
                    + "shapes for square RGB inputs, else random), fashion-mnist, shapes or random "
                    + "(default: ${DEFAULT-VALUE}).",
            defaultValue = "auto")
    String data;

    @Option(
            names = "--threads",
            split = ",",
            paramLabel = "N",
            description = "Threads for both sides (ND4J's OpenMP threads, PyTorch's intra-op threads), one count or a "
                    + "sweep, e.g. 1,2,4: every case runs at each count (default: OMP_NUM_THREADS, else all cores). "
                    + "More threads than cores measures oversubscription; a warning says so.")
    List<Integer> threads = new ArrayList<>();

    @Option(names = "--batch-file", hidden = true)
    Path batchFile;

    @Option(
            names = "--json",
            paramLabel = "FILE",
            description = "Also write the cases as a JSON list to FILE (every round's figures included).")
    Path json;

    @Option(names = "--no-torch", description = "Skip the PyTorch comparison.")
    boolean noTorch;

    /** What tcmalloc gave PyTorch's twin here (docs/performance.md, "The twin in PyTorch's fastest settings"). */
    static final String TCMALLOC_GAIN = "1.25-1.36x faster training on the project's machine";

    /** The largest {@code --batch}. */
    static final int MAX_BATCH = 4096;

    /** The valid {@code --torch-allocator} values. */
    static final List<String> ALLOCATORS = List.of("auto", "tcmalloc", "glibc");

    @Option(
            names = "--torch-allocator",
            paramLabel = "NAME",
            description = "The PyTorch twin's memory allocator: tcmalloc (preloaded; PyTorch's CPU tuning guide's "
                    + "advice: " + TCMALLOC_GAIN + ", camloss gains nothing from it), glibc, or auto "
                    + "(tcmalloc when libtcmalloc-minimal4 is installed; default: ${DEFAULT-VALUE}).",
            defaultValue = "auto")
    String torchAllocator;

    /** The directories searched for {@code libtcmalloc_minimal.so.4}. */
    static final List<Path> LIBRARY_DIRS = List.of(
            Path.of("/usr/lib/x86_64-linux-gnu"),
            Path.of("/usr/lib/aarch64-linux-gnu"),
            Path.of("/usr/lib64"),
            Path.of("/usr/lib"),
            Path.of("/usr/local/lib"));

    @Option(
            names = "--no-fork",
            description = "Run every case in this JVM (first-step and memory figures then " + "include earlier cases).")
    boolean noFork;

    /** The library preloaded into the PyTorch twin, or null for glibc's malloc. */
    private Path torchPreload;

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
        if (warmup < 0 || warmup > 100000) {
            throw new UserException("--warmup: must be in [0, 100000], found " + warmup);
        }
        if (batch < 1 || batch > MAX_BATCH) {
            throw new UserException("--batch: must be in [1, " + MAX_BATCH + "], found " + batch);
        }
        if (depth < 0) {
            throw new UserException("--depth: must be >= 0 (0: the backbone's default), found " + depth);
        }
        if (backbone == null) {
            for (String option : List.of("--depth", "--input", "--param")) {
                if (spec.commandLine().getParseResult().hasMatchedOption(option)) {
                    throw new UserException(option + " applies to the case --backbone names; the default cases fix "
                            + "their own (resnet-cifar depth 8 at 28x28x1 and depth 20 at 32x32x3): add --backbone "
                            + "ID (e.g. --backbone resnet-cifar) or drop " + option);
                }
            }
        }
        if (rounds < 1 || rounds > 1000) {
            throw new UserException("--rounds: must be in [1, 1000], found " + rounds);
        }
        if (noTorch && spec.commandLine().getParseResult().hasMatchedOption("--torch-allocator")) {
            throw new UserException("--torch-allocator: sets the PyTorch twin's allocator, which --no-torch does not "
                    + "run; drop --no-torch or drop --torch-allocator");
        }
        if (!ALLOCATORS.contains(torchAllocator)) {
            throw new UserException("--torch-allocator: unknown allocator '" + torchAllocator + "'; valid: "
                    + String.join(", ", ALLOCATORS));
        }
        Optional<Path> tcmalloc = tcmalloc(LIBRARY_DIRS);
        if (torchAllocator.equals("tcmalloc") && tcmalloc.isEmpty() && !noTorch) {
            throw new UserException("--torch-allocator tcmalloc: libtcmalloc_minimal.so.4 is not in "
                    + LIBRARY_DIRS.stream().map(Path::toString).collect(java.util.stream.Collectors.joining(", "))
                    + "; install it (Debian: apt-get install libtcmalloc-minimal4) or choose auto or glibc");
        }
        torchPreload = torchAllocator.equals("glibc") ? null : tcmalloc.orElse(null);
        if (!BenchBatch.SOURCES.contains(data)) {
            throw new UserException(
                    "--data: unknown source '" + data + "'; valid: " + String.join(", ", BenchBatch.SOURCES));
        }
        for (int t : threads) {
            if (t < 1 || t > MAX_THREADS) {
                throw new UserException("--threads: each count must be in [1, " + MAX_THREADS + "], found " + t);
            }
        }
        List<BenchCase> cases = cases();
        if (single) {
            if (!threads.isEmpty()) {
                Backend.setThreads(threads.get(0));
            }
            Map<String, Object> row = new Benchmark(main.camloss().registry(), warmup, steps, inferSteps)
                    .data(data, batchFile)
                    .run(cases.get(0));
            Json.write(json, List.of(row));
            return 0;
        }
        for (BenchCase c : cases) { // before any case forks: one message, not the child's and then the parent's
            Benchmark.check(main.camloss().registry(), c);
        }
        if (json != null
                && (Files.isDirectory(json)
                        || (json.toAbsolutePath().getParent() != null
                                && !Files.isDirectory(json.toAbsolutePath().getParent())))) {
            throw new UserException("--json " + json + ": "
                    + (Files.isDirectory(json) ? "is a directory" : "its directory does not exist")
                    + "; give a file path in an existing directory");
        }
        int cores = Runtime.getRuntime().availableProcessors();
        threads.stream()
                .filter(t -> t > cores)
                .findFirst()
                .ifPresent(t -> System.err.println("bench: warning: --threads " + t + " is more than the " + cores
                        + " cores here; those figures measure oversubscription, not that many cores"));
        PrintWriter out = spec.commandLine().getOut();
        List<Map<String, Object>> rows = new ArrayList<>();
        Benchmark inProcess = noFork ? new Benchmark(main.camloss().registry(), warmup, steps, inferSteps) : null;
        Path dir = Files.createTempDirectory("camloss-bench");
        try {
            List<Integer> sweep = threads.isEmpty() ? java.util.Collections.singletonList(null) : threads;
            for (int i = 0; i < sweep.size() * cases.size(); i++) {
                Integer t = sweep.get(i / cases.size());
                BenchCase c = cases.get(i % cases.size());
                if (noFork && t != null) {
                    Backend.setThreads(t);
                }
                Path batchNpz = dir.resolve("batch-" + rows.size() + ".npz");
                List<Map<String, Object>> perRound = new ArrayList<>();
                for (int r = 1; r <= rounds; r++) {
                    // A B in odd rounds, B A in even ones: drift of the machine falls on both sides alike
                    boolean torchFirst = r % 2 == 0 && !noTorch;
                    Map<String, Object> torchRow = null;
                    if (torchFirst) {
                        torchRow = torch(c, threadsFor(perRound), batchNpz);
                    }
                    Map<String, Object> row =
                            noFork ? inProcess.data(data, batchNpz).run(c) : forked(c, batchNpz, t);
                    if (!noTorch && !torchFirst) {
                        torchRow = torch(c, ((Number) row.get("threads")).intValue(), batchNpz);
                    }
                    if (torchRow != null) {
                        row.putAll(torchRow);
                    }
                    row.put("round", r);
                    row.put("order", torchFirst ? "pytorch, camloss" : noTorch ? "camloss" : "camloss, pytorch");
                    addRatios(row);
                    perRound.add(row);
                    System.err.println(
                            progress(c, r, row) + (threads.size() > 1 ? " (" + row.get("threads") + " threads)" : ""));
                }
                rows.add(summary(perRound));
            }
        } finally {
            deleteTree(dir);
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

    private int threadsFor(List<Map<String, Object>> earlierRounds) {
        return earlierRounds.isEmpty()
                ? Backend.threads()
                : ((Number) earlierRounds.get(0).get("threads")).intValue();
    }

    /** One line per round on stderr: the figures of both sides and their ratio. */
    static String progress(BenchCase c, int round, Map<String, Object> row) {
        StringBuilder sb = new StringBuilder(String.format(
                Locale.ROOT,
                "bench: %s round %d: camloss train %.0f img/s, infer %.0f",
                c.label(),
                round,
                num(row, "train_images_per_sec"),
                num(row, "infer_images_per_sec")));
        if (row.get("train_ratio") instanceof Number) {
            sb.append(String.format(
                    Locale.ROOT,
                    "; PyTorch train %.0f, infer %.0f; ratio train %.2fx, infer %.2fx",
                    num(row, "torch_train_images_per_sec"),
                    num(row, "torch_infer_images_per_sec"),
                    num(row, "train_ratio"),
                    num(row, "infer_ratio")));
            if (row.get("torch_layout") != null) {
                sb.append(" (PyTorch's fastest: ")
                        .append(row.get("torch_layout"))
                        .append(" training, ")
                        .append(row.get("torch_inference"))
                        .append(" inference)");
            }
        } else if (row.get("torch_note") != null) {
            sb.append("; ").append(row.get("torch_note"));
        }
        return sb.toString();
    }

    /** Adds {@code train_ratio} and {@code infer_ratio} (camloss / PyTorch images per second) when both ran. */
    static void addRatios(Map<String, Object> row) {
        if (row.get("torch_train_images_per_sec") instanceof Number t && t.doubleValue() > 0) {
            row.put("train_ratio", num(row, "train_images_per_sec") / t.doubleValue());
        }
        if (row.get("torch_infer_images_per_sec") instanceof Number t && t.doubleValue() > 0) {
            row.put("infer_ratio", num(row, "infer_images_per_sec") / t.doubleValue());
        }
    }

    /**
     * The case's row: every figure as the median over the rounds (peak memory and first step: also the
     * largest), the ratios as the median of the per-round ratios with their minimum and maximum, and the
     * rounds themselves under {@code rounds}.
     */
    static Map<String, Object> summary(List<Map<String, Object>> perRound) {
        Map<String, Object> first = perRound.get(0);
        Map<String, Object> row = new LinkedHashMap<>();
        for (String key : List.of(
                "backbone",
                "input",
                "batch",
                "loss",
                "backend",
                "threads",
                "parameters",
                "data",
                "lr",
                "momentum",
                "weight_decay",
                "timed_steps",
                "timed_inference_passes",
                "torch_version",
                "torch_interop_threads",
                "torch_flush_denormal",
                "torch_allocator",
                "torch_note")) {
            if (first.containsKey(key)) {
                row.put(key, first.get(key));
            }
        }
        row.put("round_count", perRound.size());
        for (String key : List.of("torch_layout", "torch_inference")) {
            String tally = tally(perRound, key);
            if (!tally.isEmpty()) {
                row.put(key, tally);
            }
        }
        for (String key : List.of(
                "train_images_per_sec",
                "infer_images_per_sec",
                "torch_train_images_per_sec",
                "torch_infer_images_per_sec",
                "train_ratio",
                "infer_ratio",
                "overhead_vs_cross_entropy",
                "cam_overhead",
                "first_step_seconds",
                "torch_first_step_seconds",
                "peak_rss_mb",
                "peak_heap_mb",
                "torch_peak_rss_mb")) {
            double[] v = perRound.stream()
                    .filter(r -> r.get(key) instanceof Number)
                    .mapToDouble(r -> ((Number) r.get(key)).doubleValue())
                    .toArray();
            if (v.length == 0) {
                continue;
            }
            row.put(key, Benchmark.median(v));
            row.put(key + "_min", Arrays.stream(v).min().orElseThrow());
            row.put(key + "_max", Arrays.stream(v).max().orElseThrow());
        }
        row.put("rounds", perRound);
        return row;
    }

    /**
     * How often each value of a per-round field occurred, e.g. {@code nchw x3, channels-last x2} for the layout
     * PyTorch's twin found fastest; empty when no round has the field.
     */
    static String tally(List<Map<String, Object>> perRound, String key) {
        Map<String, Long> counts = perRound.stream()
                .filter(r -> r.get(key) != null)
                .collect(java.util.stream.Collectors.groupingBy(
                        r -> String.valueOf(r.get(key)), LinkedHashMap::new, java.util.stream.Collectors.counting()));
        return counts.entrySet().stream()
                .map(e -> e.getKey() + " x" + e.getValue())
                .collect(java.util.stream.Collectors.joining(", "));
    }

    /** The first {@code libtcmalloc_minimal.so.4} in {@code dirs}, if any. */
    static Optional<Path> tcmalloc(List<Path> dirs) {
        return dirs.stream()
                .map(d -> d.resolve("libtcmalloc_minimal.so.4"))
                .filter(Files::isRegularFile)
                .findFirst();
    }

    private static void deleteTree(Path dir) throws IOException {
        try (var files = Files.walk(dir)) {
            for (Path f : files.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(f);
            }
        }
    }

    /**
     * Runs one round of a case in a fresh JVM.
     *
     * @param threads the thread count for the child ({@code OMP_NUM_THREADS} and {@code --threads}), or null to
     *     inherit this process's setting
     */
    private Map<String, Object> forked(BenchCase c, Path batchNpz, Integer threads)
            throws IOException, InterruptedException {
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
                    "--data",
                    data,
                    "--batch-file",
                    batchNpz.toString(),
                    "--json",
                    tmp.toString()));
            c.params().forEach((k, v) -> cmd.addAll(List.of("--param", k + "=" + v)));
            main.plugins.forEach(path -> cmd.addAll(List.of("--plugins", path.toString())));
            if (threads != null) {
                cmd.addAll(List.of("--threads", threads.toString()));
            }
            ProcessBuilder pb = new ProcessBuilder(cmd).inheritIO();
            if (threads != null) {
                pb.environment().put("OMP_NUM_THREADS", threads.toString());
            }
            Process p = pb.start();
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
    private Map<String, Object> torch(BenchCase c, int threads, Path batchNpz) {
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
            ProcessBuilder pb = new ProcessBuilder(
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
                            Integer.toString(threads),
                            "--data",
                            Files.isRegularFile(batchNpz) ? batchNpz.toString() : "random",
                            "--lr",
                            Double.toString(Benchmark.LEARNING_RATE),
                            "--momentum",
                            Double.toString(Benchmark.MOMENTUM),
                            "--weight-decay",
                            Double.toString(Benchmark.WEIGHT_DECAY))
                    .redirectErrorStream(true);
            // the launcher's glibc setting is for camloss's JVM; the twin runs with its own allocator
            pb.environment().remove("MALLOC_MMAP_THRESHOLD_");
            pb.environment().remove("LD_PRELOAD");
            if (torchPreload != null) {
                pb.environment().put("LD_PRELOAD", torchPreload.toString());
            }
            Process p = pb.start();
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
            r.put("torch_allocator", torchPreload != null ? "tcmalloc" : "glibc");
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
                        && java.util.Objects.equals(ce.get("threads"), cam.get("threads"))
                        && ce.get("input").equals(cam.get("input"))
                        && ce.get("batch").equals(cam.get("batch"))) {
                    double a = ((Number) ce.get("train_images_per_sec")).doubleValue();
                    double b = ((Number) cam.get("train_images_per_sec")).doubleValue();
                    cam.put("cam_overhead", a / b - 1);
                }
            }
        }
    }

    static String table(List<Map<String, Object>> rows) {
        StringBuilder sb = new StringBuilder();
        String head = "%-18s %-9s %5s %3s %-13s %16s %9s %17s %9s %9s %17s %7s %6s %7s%n";
        String line = "%-18s %-9s %5s %3s %-13s %16s %9s %17s %9.0f %9s %17s %7s %6.2f %7.0f%n";
        sb.append(String.format(
                Locale.ROOT,
                head,
                "backbone",
                "input",
                "batch",
                "thr",
                "loss",
                "train img/s",
                "torch trn",
                "ratio train",
                "infer",
                "torch inf",
                "ratio infer",
                "vs CE",
                "1st s",
                "RSS MB"));
        for (Map<String, Object> r : rows) {
            sb.append(String.format(
                    Locale.ROOT,
                    line,
                    r.get("backbone"),
                    r.get("input"),
                    r.get("batch"),
                    r.getOrDefault("threads", "-"),
                    r.get("loss"),
                    range(r, "train_images_per_sec", "%.0f"),
                    fmt(r, "torch_train_images_per_sec", "%.0f"),
                    range(r, "train_ratio", "%.2f"),
                    num(r, "infer_images_per_sec"),
                    fmt(r, "torch_infer_images_per_sec", "%.0f"),
                    range(r, "infer_ratio", "%.2f"),
                    fmt(r, "overhead_vs_cross_entropy", "%+.1f%%", 100),
                    num(r, "first_step_seconds"),
                    num(r, r.containsKey("peak_rss_mb_max") ? "peak_rss_mb_max" : "peak_rss_mb")));
        }
        for (Map<String, Object> r : rows) {
            if (r.get("torch_note") != null) {
                sb.append("note: ").append(r.get("torch_note")).append('\n');
                break;
            }
        }
        for (Map<String, Object> r : rows) {
            if (r.get("torch_layout") != null) {
                sb.append(String.format(
                        Locale.ROOT,
                        "PyTorch's fastest settings, %s %s %s: training %s; inference %s%n",
                        r.get("backbone"),
                        r.get("input"),
                        r.get("loss"),
                        r.get("torch_layout"),
                        r.get("torch_inference")));
            }
        }
        rows.stream()
                .map(r -> r.get("torch_allocator"))
                .filter(java.util.Objects::nonNull)
                .findFirst()
                .ifPresent(a -> sb.append("PyTorch's allocator: ")
                        .append(a)
                        .append(
                                a.equals("glibc")
                                        ? " (install libtcmalloc-minimal4 for PyTorch's fastest loop: tcmalloc gave "
                                                + TCMALLOC_GAIN + ")"
                                        : " (preloaded)")
                        .append('\n'));
        Map<String, Object> first = rows.isEmpty() ? Map.of() : rows.get(0);
        sb.append(String.format(
                Locale.ROOT,
                "backend %s, %s threads; %s round(s) per case, medians over rounds [min-max]; batch: %s%n",
                Backend.name(),
                rows.stream()
                        .map(r -> String.valueOf(r.getOrDefault("threads", Backend.threads())))
                        .distinct()
                        .collect(java.util.stream.Collectors.joining(", ")),
                first.getOrDefault("round_count", 1),
                rows.stream()
                        .map(r -> String.valueOf(r.get("data")))
                        .distinct()
                        .collect(java.util.stream.Collectors.joining(", "))));
        return sb.toString();
    }

    /** {@code median [min-max]} of a figure over rounds, or {@code -} when absent. */
    private static String range(Map<String, Object> r, String key, String format) {
        if (!(r.get(key) instanceof Number)) {
            return "-";
        }
        String f = format + " [" + format + "-" + format + "]";
        return String.format(
                Locale.ROOT,
                f,
                num(r, key),
                r.containsKey(key + "_min") ? num(r, key + "_min") : num(r, key),
                r.containsKey(key + "_max") ? num(r, key + "_max") : num(r, key));
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
