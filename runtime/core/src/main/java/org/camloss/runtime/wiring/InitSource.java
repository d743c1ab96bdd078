package org.camloss.runtime.wiring;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.camloss.api.UserException;
import org.camloss.api.layers.StoredModels;
import org.camloss.runtime.config.ConfigException;
import org.camloss.runtime.config.ConfigProblem;
import org.camloss.runtime.config.ExperimentConfig;
import org.camloss.runtime.config.TransferSpec;
import org.camloss.runtime.run.Json;
import org.camloss.runtime.run.Provenance;
import org.camloss.runtime.run.RunDirectory;
import org.deeplearning4j.nn.graph.ComputationGraph;

/**
 * The trained model a run starts from ({@code init.from}): its graph, the SHA-256 of its file, and, when it is a
 * camloss run, that run's config and provenance.
 *
 * @param file       the model file read
 * @param sha256     its SHA-256, hex
 * @param graph      the model
 * @param sourceRun  the source run's {@code run.json} (config and provenance), or empty for a plain model file
 * @param spec       the {@code init} section
 */
public record InitSource(
        Path file, String sha256, ComputationGraph graph, Map<String, Object> sourceRun, TransferSpec.InitSpec spec) {

    /**
     * Reads the source of {@code config}'s {@code init}.
     *
     * @throws UserException   when it is missing, unfinished or unreadable
     * @throws ConfigException when a source run's backbone id differs from the config's with {@code parts: backbone}
     *                         or {@code all}
     */
    static InitSource load(ExperimentConfig config) {
        TransferSpec.InitSpec spec = config.transfer().init().orElseThrow();
        Path from = Path.of(spec.from());
        if (!Files.exists(from)) {
            throw new UserException("init.from: " + from + " does not exist; name a run directory, its model.zip, or "
                    + "a DL4J ComputationGraph file");
        }
        Map<String, Object> run = Map.of();
        Path file = from;
        if (Files.isDirectory(from)) {
            Path runJson = from.resolve(RunDirectory.RUN_JSON);
            if (!Files.isRegularFile(runJson)) {
                throw new UserException("init.from: " + from + " is a directory but not a run directory (no "
                        + RunDirectory.RUN_JSON + ")");
            }
            try {
                run = Json.read(runJson);
            } catch (IOException e) {
                throw new UserException("init.from: " + runJson + " is not readable JSON (" + e.getMessage() + ")");
            }
            file = from.resolve(RunDirectory.MODEL);
            if (!Files.isRegularFile(file)) {
                @SuppressWarnings("unchecked")
                Map<String, Object> prov =
                        run.get("provenance") instanceof Map<?, ?> m ? (Map<String, Object>) m : Map.of();
                Provenance.Status st = Provenance.status(prov);
                throw new UserException("init.from: " + from + " has no " + RunDirectory.MODEL + " (the run is "
                        + st.status() + (st.detail().isEmpty() ? "" : ": " + st.detail()) + ")");
            }
            if (run.get("backbone") instanceof Map<?, ?> b
                    && b.get("id") != null
                    && !b.get("id").equals(config.backbone().id())) {
                throw new ConfigException(List.of(new ConfigProblem(
                        "init.from",
                        from + " was trained with backbone '"
                                + b.get("id") + "', this config names '"
                                + config.backbone().id() + "'; init copies parameters "
                                + "by layer name, so both must be the same backbone",
                        "config")));
            }
        }
        ComputationGraph graph;
        try {
            graph = StoredModels.readGraph(file, false);
        } catch (IOException | RuntimeException e) {
            throw new UserException(
                    "init.from: " + file + " is not a readable DL4J ComputationGraph (" + e.getMessage() + ")");
        }
        return new InitSource(file, sha256(file), graph, run, spec);
    }

    /** The image shape the source run was trained on ({@code HxWxC}), or empty for a plain model file. */
    public String sourceShape() {
        return sourceRun.get("provenance") instanceof Map<?, ?> p
                        && p.get("dataset") instanceof Map<?, ?> d
                        && d.get("shape") != null
                ? d.get("shape").toString()
                : "";
    }

    /** The provenance entry: the file, its SHA-256, the parts copied and the source run's own provenance. */
    public Map<String, Object> describe() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("from", spec.from());
        m.put("file", file.toString());
        m.put("sha256", sha256);
        m.put("parts", spec.parts());
        m.put("first_conv", spec.firstConv());
        if (!sourceRun.isEmpty()) {
            m.put("source_run", sourceRun);
        }
        return m;
    }

    private static String sha256(Path file) {
        try (InputStream in = new DigestInputStream(Files.newInputStream(file), MessageDigest.getInstance("SHA-256"))) {
            in.transferTo(java.io.OutputStream.nullOutputStream());
            return HexFormat.of()
                    .formatHex(((DigestInputStream) in).getMessageDigest().digest());
        } catch (IOException e) {
            throw new UserException("init.from: " + file + " cannot be read (" + e.getMessage() + ")");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK has no SHA-256", e);
        }
    }
}
