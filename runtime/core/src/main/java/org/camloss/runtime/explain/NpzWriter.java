package org.camloss.runtime.explain;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Writes arrays as a NumPy {@code .npz} file: a zip archive with one {@code <name>.npy} entry per array, in NumPy's
 * own format (ND4J's {@link Nd4j#toNpyByteArray}); {@code numpy.load(file)} reads it, keyed by name.
 */
public final class NpzWriter {
    private NpzWriter() {}

    /**
     * Writes {@code arrays} to {@code file} (replacing it), one {@code <name>.npy} entry each, C order.
     *
     * @throws IOException when the file cannot be written
     */
    public static void write(Path file, Map<String, INDArray> arrays) throws IOException {
        try (OutputStream os = Files.newOutputStream(file);
                ZipOutputStream zip = new ZipOutputStream(os)) {
            for (Map.Entry<String, INDArray> e : arrays.entrySet()) {
                zip.putNextEntry(new ZipEntry(e.getKey() + ".npy"));
                zip.write(Nd4j.toNpyByteArray(e.getValue().dup('c')));
                zip.closeEntry();
            }
        }
    }
}
