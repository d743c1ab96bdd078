package org.camloss.runtime.run;

import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import org.camloss.api.UserException;

/**
 * The directory of one run: {@code run.json} (resolved config and provenance), {@code metrics.jsonl}
 * (one object per epoch), {@code checkpoints/} (model, updater and training state, the newest few),
 * {@code model.zip} (written once training has finished), {@code model-best.zip} (the best epoch's model) and
 * {@code eval.json}. Never reuses an existing directory; every file is written atomically.
 */
public final class RunDirectory {
    /** Resolved config plus provenance. */
    public static final String RUN_JSON = "run.json";
    /** One JSON object per epoch. */
    public static final String METRICS = "metrics.jsonl";
    /** The trained model (DL4J ModelSerializer format). */
    public static final String MODEL = "model.zip";
    /** The last evaluation. */
    public static final String EVAL_JSON = "eval.json";
    /** The model of the best epoch by the tracked metric (early stopping's, else {@code val_accuracy}). */
    public static final String MODEL_BEST = "model-best.zip";
    /** The folder of checkpoints. */
    public static final String CHECKPOINTS = "checkpoints";

    private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss");
    private final Path dir;

    private RunDirectory(Path dir) {
        this.dir = dir;
    }

    /**
     * Creates the directory of a new run.
     *
     * @param explicit the directory the user asked for ({@code --out}), or null for
     *                 {@code <runsRoot>/<name>-<timestamp>}
     * @throws UserException when {@code explicit} already exists
     */
    public static RunDirectory create(Path explicit, Path runsRoot, String name) {
        try {
            if (explicit != null) {
                for (Path p = explicit.toAbsolutePath().getParent(); p != null; p = p.getParent()) {
                    if (Files.exists(p) && !Files.isDirectory(p)) {
                        throw new UserException(
                                "--out " + explicit + ": cannot be created: " + p + " is a file, not a directory");
                    }
                }
                if (Files.exists(explicit)) {
                    throw new UserException("--out " + explicit + ": already exists; camloss never overwrites a run. "
                            + "Choose a new directory or leave --out away for runs/<name>-<timestamp>");
                }
                Files.createDirectories(explicit.toAbsolutePath().getParent());
                Files.createDirectory(explicit);
                return new RunDirectory(explicit);
            }
            Files.createDirectories(runsRoot);
            String base = stamped(name);
            for (int i = 1; ; i++) {
                Path candidate = runsRoot.resolve(i == 1 ? base : base + "-" + i);
                try {
                    Files.createDirectory(candidate);
                    return new RunDirectory(candidate);
                } catch (FileAlreadyExistsException e) {
                    // same second: try the next suffix
                }
            }
        } catch (IOException e) {
            throw new UserException(
                    "cannot create the run directory " + (explicit != null ? explicit : runsRoot) + ": " + reason(e),
                    e);
        }
    }

    /** An I/O failure in words: the JDK's file exceptions often carry only the path. */
    static String reason(IOException e) {
        if (e instanceof java.nio.file.AccessDeniedException) {
            return "permission denied (" + e.getMessage() + ")";
        }
        if (e instanceof java.nio.file.FileAlreadyExistsException) {
            return e.getMessage() + " already exists";
        }
        if (e instanceof java.nio.file.NoSuchFileException) {
            return e.getMessage() + " does not exist";
        }
        String m = e.getMessage();
        return m == null ? e.getClass().getSimpleName() : m;
    }

    /** {@code <prefix>-<yyyyMMdd-HHmmss>}, the name of a new run or result directory. */
    public static String stamped(String prefix) {
        return prefix + "-" + LocalDateTime.now().format(STAMP);
    }

    /** Opens an existing run directory for reading. */
    public static RunDirectory open(Path dir) {
        if (!Files.isDirectory(dir)) {
            throw new UserException(dir + ": not a run directory (it does not exist or is not a directory)");
        }
        if (!Files.isRegularFile(dir.resolve(RUN_JSON))) {
            throw new UserException(dir + ": not a run directory (no " + RUN_JSON + " in it)");
        }
        return new RunDirectory(dir);
    }

    public Path path() {
        return dir;
    }

    public Path runJson() {
        return dir.resolve(RUN_JSON);
    }

    public Path metrics() {
        return dir.resolve(METRICS);
    }

    public Path model() {
        return dir.resolve(MODEL);
    }

    public Path evalJson() {
        return dir.resolve(EVAL_JSON);
    }

    /** {@code model-best.zip}. */
    public Path modelBest() {
        return dir.resolve(MODEL_BEST);
    }

    /** The checkpoints of this run. */
    public Checkpoints checkpoints() {
        return new Checkpoints(dir.resolve(CHECKPOINTS));
    }
}
