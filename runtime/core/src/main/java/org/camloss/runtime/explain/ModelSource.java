package org.camloss.runtime.explain;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.camloss.api.InputShape;
import org.camloss.api.UserException;
import org.camloss.api.data.Dataset;
import org.camloss.api.data.PixelNormalization;
import org.camloss.api.layers.StoredModels;
import org.camloss.engine.explain.ExplainedModel;
import org.camloss.engine.head.CamHeadLayer;
import org.camloss.engine.model.CamModel;
import org.camloss.runtime.config.ConfigException;
import org.camloss.runtime.config.ConfigLoader;
import org.camloss.runtime.config.ExperimentConfig;
import org.camloss.runtime.registry.PluginRegistry;
import org.camloss.runtime.run.Json;
import org.camloss.runtime.run.ModelFiles;
import org.camloss.runtime.run.Provenance;
import org.camloss.runtime.run.RunDirectory;
import org.camloss.runtime.wiring.ExperimentParts;
import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.ndarray.INDArray;

/** Reads the model {@link Explain} explains: a camloss run, a camloss model file, or a plain DL4J graph. */
final class ModelSource {
    private ModelSource() {}

    /**
     * A model ready to explain.
     *
     * @param model         the model as CAM methods see it
     * @param kind          {@code camloss run}, {@code camloss model} or {@code dl4j graph}
     * @param file          the model file read
     * @param sha256        its SHA-256
     * @param classes       class names (indices as names where the model records none)
     * @param runData       the run's own data (runs only)
     * @param normalization how the run's data normalises pixels, when known
     * @param describe      for {@code explain.json}
     */
    record Loaded(
            ExplainedModel model,
            String kind,
            Path file,
            String sha256,
            List<String> classes,
            Optional<Dataset> runData,
            Optional<PixelNormalization> normalization,
            Map<String, Object> describe) {}

    static Loaded load(PluginRegistry registry, ExplainRequest r) {
        Path p = r.model();
        if (!Files.exists(p)) {
            throw new UserException("MODEL " + p + ": does not exist (give a camloss run directory, a model.zip or a "
                    + "DL4J ComputationGraph file)");
        }
        return Files.isDirectory(p) ? run(registry, r, p) : file(r, p);
    }

    private static Loaded run(PluginRegistry registry, ExplainRequest r, Path dir) {
        RunDirectory run = RunDirectory.open(dir);
        Map<String, Object> raw;
        try {
            raw = Json.read(run.runJson());
        } catch (IOException e) {
            throw new UserException(run.runJson() + ": unreadable JSON (" + e.getMessage() + ")");
        }
        Object provenance = raw.remove("provenance");
        Path file = r.best() ? run.modelBest() : run.model();
        if (!Files.isRegularFile(file)) {
            @SuppressWarnings("unchecked")
            Map<String, Object> section = provenance instanceof Map<?, ?> m ? (Map<String, Object>) m : Map.of();
            Provenance.Status status = Provenance.status(section);
            String detail = status.detail().isBlank() ? "" : " (" + status.detail() + ")";
            String why =
                    switch (status.status()) {
                        case Provenance.RUNNING -> "the run is still training" + detail;
                        case Provenance.FAILED -> "the run failed" + detail;
                        case Provenance.INTERRUPTED -> "the run was interrupted" + detail + "; continue it with "
                                + "'camloss resume " + run.path() + "'";
                        default -> r.best()
                                ? "this run kept no best model (it has one only with train.early_stopping or a "
                                        + "validation split); leave --model best away"
                                : "the run did not finish";
                    };
            throw new UserException(file + ": missing; " + why);
        }
        ExperimentConfig config;
        try {
            config = new ConfigLoader(registry).fromMap(raw, run.runJson().toString(), List.of());
        } catch (ConfigException e) {
            throw new UserException(run.runJson() + ": not a usable run config:\n" + e.getMessage(), e);
        }
        ExperimentParts parts =
                ExperimentParts.make(registry, config.withoutDistillation().withoutInit());
        Dataset data = parts.dataset();
        CamModel loaded = ModelFiles.load(file, "MODEL", data.info().shape());
        if (loaded.head().getClasses() != data.info().numClasses()) {
            throw new UserException(file + ": the model has " + loaded.head().getClasses() + " classes but the dataset "
                    + data.info().name() + " has " + data.info().numClasses());
        }
        CamModel model = new CamModel(
                loaded.graph(), loaded.featureVertex(), parts.backbone().info(), loaded.inputShape());
        Map<String, Object> describe = new LinkedHashMap<>();
        describe.put("kind", "camloss run");
        describe.put("run", run.path().toString());
        describe.put("file", file.toString());
        describe.put("sha256", sha256(file));
        describe.put("name", config.name());
        describe.put("backbone", config.backbone().id());
        describe.put("loss", config.loss().id());
        describe.put("dataset", data.info().name());
        return new Loaded(
                ExplainedModel.of(model),
                "camloss run",
                file,
                (String) describe.get("sha256"),
                data.info().classes(),
                Optional.of(data),
                data.normalization(),
                describe);
    }

    private static Loaded file(ExplainRequest r, Path file) {
        ComputationGraph graph;
        try {
            graph = StoredModels.readGraph(file, false);
        } catch (IOException | RuntimeException e) {
            throw new UserException("MODEL " + file + ": not a readable DL4J ComputationGraph file (" + e.getMessage()
                    + "); give a camloss run directory, a model.zip or a graph written by ModelSerializer");
        }
        boolean camlossModel = graph.getConfiguration().getVertices().containsKey(CamModel.HEAD)
                && graph.getLayer(CamModel.HEAD) instanceof CamHeadLayer;
        if (camlossModel) {
            // a camloss model knows its head, feature map and layout: a plain graph's options would be ignored
            Map<String, String> graphOptions = new LinkedHashMap<>();
            graphOptions.put("--logits", r.logitsLayer());
            graphOptions.put("--features", r.featuresLayer());
            graphOptions.put("--format", r.format());
            graphOptions.forEach((option, value) -> {
                if (!value.isEmpty()) {
                    throw new UserException(option + ": only for a plain DL4J graph; MODEL " + file + " is a camloss "
                            + "model file, which knows its head, feature map and layout: drop " + option);
                }
            });
        }
        Optional<InputType.InputTypeConvolutional> declared = declaredInput(graph);
        InputShape shape = shape(r, file, declared);
        String sha = sha256(file);
        Map<String, Object> describe = new LinkedHashMap<>();
        describe.put("file", file.toString());
        describe.put("sha256", sha);
        if (camlossModel) {
            CamModel model = ModelFiles.load(file, "MODEL", shape);
            describe.put("kind", "camloss model");
            return new Loaded(
                    ExplainedModel.of(model),
                    "camloss model",
                    file,
                    sha,
                    indexNames(model.head().getClasses()),
                    Optional.empty(),
                    Optional.empty(),
                    describe);
        }
        if (r.logitsLayer().isEmpty()) {
            throw new UserException("MODEL " + file + ": a plain DL4J graph; name its logits layer with --logits (a "
                    + "dense or output layer whose input is the pooled features; the graph's layers with weights: "
                    + denseLayers(graph) + ")");
        }
        boolean nchw;
        if (r.format().isEmpty()) {
            nchw = declared.map(t -> t.getFormat() == CNN2DFormat.NCHW).orElse(false);
        } else if (r.format().equals("NCHW") || r.format().equals("NHWC")) {
            nchw = r.format().equals("NCHW");
        } else {
            throw new UserException("--format: must be NHWC or NCHW, found '" + r.format() + "'");
        }
        ExplainedModel model;
        try {
            model = ExplainedModel.ofGraph(graph, shape, r.logitsLayer(), r.featuresLayer(), nchw);
        } catch (IllegalArgumentException e) {
            String key = e.getMessage().startsWith("no feature layer")
                            || e.getMessage().contains("is not a 4-D map")
                    ? "--features"
                    : "--logits";
            throw new UserException(key + ": " + e.getMessage(), e);
        }
        describe.put("kind", "dl4j graph");
        describe.put("logits", r.logitsLayer());
        describe.put("format", nchw ? "NCHW" : "NHWC");
        return new Loaded(
                model,
                "dl4j graph",
                file,
                sha,
                indexNames(model.numClasses()),
                Optional.empty(),
                Optional.empty(),
                describe);
    }

    /**
     * The input type a graph records: none in DL4J 1.0.0-M2.1, whose configurations keep no input types (so model
     * files need --input-shape); kept as one place to change when DL4J records them.
     */
    private static Optional<InputType.InputTypeConvolutional> declaredInput(ComputationGraph graph) {
        return Optional.empty();
    }

    private static InputShape shape(ExplainRequest r, Path file, Optional<InputType.InputTypeConvolutional> declared) {
        if (!r.inputShape().isEmpty()) {
            String[] parts = r.inputShape().toLowerCase(java.util.Locale.ROOT).split("x");
            try {
                if (parts.length != 3) {
                    throw new NumberFormatException();
                }
                int h = Integer.parseInt(parts[0].trim());
                int w = Integer.parseInt(parts[1].trim());
                int c = Integer.parseInt(parts[2].trim());
                if (h < 1 || w < 1 || (c != 1 && c != 3) || h > 4096 || w > 4096) {
                    throw new NumberFormatException();
                }
                return new InputShape(c, h, w);
            } catch (NumberFormatException e) {
                throw new UserException("--input-shape: must be HxWxC with H and W in [1, 4096] and C 1 or 3, e.g. "
                        + "28x28x1; found '" + r.inputShape() + "'");
            }
        }
        return declared.map(t -> new InputShape((int) t.getChannels(), (int) t.getHeight(), (int) t.getWidth()))
                .orElseThrow(() -> new UserException("MODEL " + file + ": a model file does not record the size of its "
                        + "input images; give it with --input-shape HxWxC (e.g. 28x28x1), or give the run directory"));
    }

    private static List<String> denseLayers(ComputationGraph graph) {
        List<String> out = new ArrayList<>();
        for (org.deeplearning4j.nn.api.Layer l : graph.getLayers()) {
            INDArray w = l.paramTable().get("W");
            if (w != null && w.rank() == 2) {
                out.add(l.conf().getLayer().getLayerName());
            }
        }
        return out;
    }

    private static List<String> indexNames(int k) {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < k; i++) {
            out.add(Integer.toString(i));
        }
        return out;
    }

    /** SHA-256 (hex) of a file. */
    static String sha256(Path file) {
        try (InputStream in = Files.newInputStream(file)) {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            byte[] buf = new byte[1 << 16];
            for (int n; (n = in.read(buf)) > 0; ) {
                digest.update(buf, 0, n);
            }
            return HexFormat.of().formatHex(digest.digest());
        } catch (IOException e) {
            throw new UserException(file + ": unreadable (" + e.getMessage() + ")", e);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
