package org.camloss.api.layers;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import java.util.zip.ZipOutputStream;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.util.ModelSerializer;

/**
 * Reads DL4J model files ({@link ModelSerializer} zips) that may name camloss classes, including the names
 * camloss used before its 0.1 restructuring (2026-11-30), when the fast layers lived in the backbones plugin,
 * the head in {@code org.camloss.api.model} and the updaters in the runtime.
 *
 * <p>A model file stores the class of every custom layer, vertex, updater and schedule in its
 * {@code configuration.json} ({@code "@class"} entries), so a moved class would make old files unreadable.
 * Every camloss loader reads through here; {@link #RENAMED} maps each old name to the current one. Files without
 * old names are read as they are.
 */
public final class StoredModels {
    /** Class names written into model files by earlier camloss versions, mapped to the current classes. */
    public static final Map<String, String> RENAMED = Map.of(
            "org.camloss.api.model.CamHead",
            "org.camloss.engine.head.CamHead",
            "org.camloss.backbones.FastBatchNorm",
            FastBatchNorm.class.getName(),
            "org.camloss.backbones.FastConvolution",
            FastConvolution.class.getName(),
            "org.camloss.backbones.AddReluVertex",
            AddReluVertex.class.getName(),
            "org.camloss.backbones.ZeroPadShortcutVertex",
            ZeroPadShortcutVertex.class.getName(),
            "org.camloss.runtime.engine.ClassicalMomentum",
            "org.camloss.engine.optim.ClassicalMomentum",
            "org.camloss.runtime.engine.CosineSchedule",
            "org.camloss.engine.optim.CosineSchedule",
            "org.camloss.runtime.engine.StepSchedule",
            "org.camloss.engine.optim.StepSchedule");

    private static final String CONFIGURATION = "configuration.json";

    private StoredModels() {}

    /**
     * Reads a {@link ComputationGraph}.
     *
     * @param file        a model file written by {@link ModelSerializer}
     * @param loadUpdater whether to read the updater state too (to continue training with momentum)
     * @throws IOException when the file cannot be read or is not a DL4J model (DL4J's own message)
     */
    public static ComputationGraph readGraph(Path file, boolean loadUpdater) throws IOException {
        byte[] renamed = withCurrentNames(file);
        if (renamed == null) {
            return ModelSerializer.restoreComputationGraph(file.toFile(), loadUpdater);
        }
        return ModelSerializer.restoreComputationGraph(new ByteArrayInputStream(renamed), loadUpdater);
    }

    /**
     * Reads a {@link MultiLayerNetwork}.
     *
     * @param file        a model file written by {@link ModelSerializer}
     * @param loadUpdater whether to read the updater state too
     * @throws IOException when the file cannot be read or is not a DL4J model
     */
    public static MultiLayerNetwork readNetwork(Path file, boolean loadUpdater) throws IOException {
        byte[] renamed = withCurrentNames(file);
        if (renamed == null) {
            return ModelSerializer.restoreMultiLayerNetwork(file.toFile(), loadUpdater);
        }
        return ModelSerializer.restoreMultiLayerNetwork(new ByteArrayInputStream(renamed), loadUpdater);
    }

    /**
     * The configuration JSON of a model file with old class names replaced.
     *
     * @throws IOException when the file is not a zip with a {@code configuration.json}
     */
    public static String configuration(Path file) throws IOException {
        try (ZipFile zip = new ZipFile(file.toFile())) {
            ZipEntry e = zip.getEntry(CONFIGURATION);
            if (e == null) {
                throw new IOException(file + " has no " + CONFIGURATION + " (not a DL4J model file)");
            }
            try (InputStream in = zip.getInputStream(e)) {
                return rename(new String(in.readAllBytes(), StandardCharsets.UTF_8));
            }
        }
    }

    /** {@code json} with every old class name of {@link #RENAMED} replaced by the current one. */
    public static String rename(String json) {
        String out = json;
        for (Map.Entry<String, String> e : RENAMED.entrySet()) {
            out = out.replace('"' + e.getKey() + '"', '"' + e.getValue() + '"');
        }
        return out;
    }

    /** The model file as a zip with current names, or null when it names no old class. */
    private static byte[] withCurrentNames(Path file) throws IOException {
        try (ZipFile zip = new ZipFile(file.toFile())) {
            ZipEntry conf = zip.getEntry(CONFIGURATION);
            if (conf == null) {
                return null; // let DL4J say what is wrong
            }
            String json;
            try (InputStream in = zip.getInputStream(conf)) {
                json = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            }
            String renamed = rename(json);
            if (renamed.equals(json)) {
                return null;
            }
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            try (ZipOutputStream out = new ZipOutputStream(bytes)) {
                var entries = zip.entries();
                while (entries.hasMoreElements()) {
                    ZipEntry e = entries.nextElement();
                    out.putNextEntry(new ZipEntry(e.getName()));
                    if (e.getName().equals(CONFIGURATION)) {
                        out.write(renamed.getBytes(StandardCharsets.UTF_8));
                    } else {
                        try (InputStream in = zip.getInputStream(e)) {
                            in.transferTo(out);
                        }
                    }
                    out.closeEntry();
                }
            }
            return bytes.toByteArray();
        } catch (java.util.zip.ZipException e) {
            return null; // not a zip: DL4J reports it
        }
    }
}
