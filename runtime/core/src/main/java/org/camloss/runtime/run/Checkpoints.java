package org.camloss.runtime.run;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import java.util.zip.ZipInputStream;
import java.util.zip.ZipOutputStream;
import org.camloss.api.UserException;
import org.camloss.runtime.train.TrainState;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.util.ModelSerializer;

/**
 * A run's checkpoints: {@code checkpoints/ckpt-e<epoch>-b<batch>.zip}, each a DL4J model file with the updater state
 * (so momentum and the schedule's position carry on) plus an entry {@value #STATE} holding the
 * {@link TrainState}. The name says where the run continues: zero-based epoch and batch ({@code b000000} at an epoch
 * boundary), so names sort in training order. Written to a temporary file, flushed to disk, then renamed: a checkpoint
 * is complete or absent. The newest few are kept.
 */
public final class Checkpoints {
    /** The zip entry with the training state. */
    public static final String STATE = "camloss-state.json";

    private static final Pattern NAME = Pattern.compile("ckpt-e(\\d{4,})-b(\\d{6,})\\.zip");
    private final Path dir;

    Checkpoints(Path dir) {
        this.dir = dir;
    }

    /** The folder. */
    public Path dir() {
        return dir;
    }

    /**
     * Writes a checkpoint and removes all but the newest {@code keep}.
     *
     * @return the file written
     */
    public Path save(ComputationGraph graph, TrainState state, int keep) {
        try {
            Files.createDirectories(dir);
            Path file = dir.resolve(String.format(Locale.ROOT, "ckpt-e%04d-b%06d.zip", state.epoch(), state.batch()));
            Path tmp = dir.resolve("." + file.getFileName() + ".tmp");
            ByteArrayOutputStream model = new ByteArrayOutputStream();
            ModelSerializer.writeModel(graph, model, true);
            // java.io streams throughout: they work while the thread's interrupt flag is set (a run being stopped)
            try (FileOutputStream fileOut = new FileOutputStream(tmp.toFile());
                    ZipOutputStream out = new ZipOutputStream(fileOut);
                    ZipInputStream in = new ZipInputStream(new ByteArrayInputStream(model.toByteArray()))) {
                for (ZipEntry e = in.getNextEntry(); e != null; e = in.getNextEntry()) {
                    out.putNextEntry(new ZipEntry(e.getName()));
                    in.transferTo(out);
                    out.closeEntry();
                }
                out.putNextEntry(new ZipEntry(STATE));
                out.write(Json.toJson(state.toMap()).getBytes(StandardCharsets.UTF_8));
                out.closeEntry();
                out.finish();
                fileOut.getFD().sync();
            }
            Json.moveAtomically(tmp, file);
            List<Path> all = list();
            for (int i = 0; i < all.size() - keep; i++) {
                Files.deleteIfExists(all.get(i));
            }
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write a checkpoint into " + dir, e);
        }
    }

    /** Every complete checkpoint, oldest first. */
    public List<Path> list() {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> NAME.matcher(p.getFileName().toString()).matches())
                    .sorted()
                    .toList();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + dir, e);
        }
    }

    /** The newest checkpoint, if any. */
    public Optional<Path> latest() {
        List<Path> all = list();
        return all.isEmpty() ? Optional.empty() : Optional.of(all.get(all.size() - 1));
    }

    /**
     * The training state of a checkpoint.
     *
     * @throws UserException when the file is not a camloss checkpoint
     */
    public static TrainState state(Path checkpoint) {
        try (ZipFile zip = new ZipFile(checkpoint.toFile())) {
            ZipEntry entry = zip.getEntry(STATE);
            if (entry == null) {
                throw new UserException(checkpoint + ": not a camloss checkpoint (no " + STATE + " in it)");
            }
            try (InputStream in = zip.getInputStream(entry)) {
                return TrainState.fromMap(Json.parse(new String(in.readAllBytes(), StandardCharsets.UTF_8)));
            }
        } catch (IOException | IllegalArgumentException e) {
            throw new UserException(checkpoint + ": not a readable camloss checkpoint (" + e.getMessage() + ")", e);
        }
    }
}
