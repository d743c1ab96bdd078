package org.camloss.runtime.fewshot;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * What {@link org.camloss.runtime.Camloss#fewShot} evaluates. The components are named after the options of
 * {@code camloss fewshot}, and problems with them are reported under those names ({@code --ways}, {@code --shots},
 * …). Build one with {@link #builder(Path)}; the builder's defaults are the command's.
 *
 * @param runDir      a finished run directory
 * @param dataId      the dataset plugin; empty for the run's own
 * @param dataParams  parameter values of the dataset plugin, as a config node's {@code params}; when the dataset is
 *     the run's own they override the run's values, otherwise the plugin's defaults
 * @param classes     the classes to draw episodes from, each a label ({@code 5}) or a class name ({@code sandal});
 *     empty for every class of the data
 * @param split       which split of the data
 * @param ways        N of each setting (each at least 2)
 * @param shots       K of each setting (each at least 1)
 * @param queries     query examples per class and episode
 * @param episodes    episodes per setting
 * @param classifiers the classifiers, each evaluated on the same episodes
 * @param seed        the seed episodes are drawn from
 * @param out         the results file to write (never an existing one); empty for the run directory's first free
 *     {@code fewshot.json}, {@code fewshot-2.json}, …
 * @param batchSize   images per forward pass while extracting features
 */
public record FewShotRequest(
        Path runDir,
        Optional<String> dataId,
        Map<String, Object> dataParams,
        Optional<List<String>> classes,
        Split split,
        List<Integer> ways,
        List<Integer> shots,
        int queries,
        int episodes,
        List<FewShotMethod> classifiers,
        long seed,
        Optional<Path> out,
        int batchSize) {
    public FewShotRequest {
        Objects.requireNonNull(runDir, "runDir");
        dataParams = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(dataParams));
        classes = classes.map(List::copyOf);
        Objects.requireNonNull(split, "split");
        ways = List.copyOf(ways);
        shots = List.copyOf(shots);
        classifiers = List.copyOf(classifiers);
    }

    /** Which split of a dataset episodes are drawn from. */
    public enum Split {
        /** The test split (the default). */
        TEST,
        /** The training split. */
        TRAIN;

        /** {@code test} or {@code train}. */
        public String id() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    /** A builder with the command's defaults: 5 ways, 1 and 5 shots, 15 queries, 600 episodes, prototype, seed 0. */
    public static Builder builder(Path runDir) {
        return new Builder(runDir);
    }

    /** Builds a {@link FewShotRequest}. */
    public static final class Builder {
        private final Path runDir;
        private String dataId;
        private final Map<String, Object> dataParams = new LinkedHashMap<>();
        private List<String> classes;
        private Split split = Split.TEST;
        private List<Integer> ways = List.of(5);
        private List<Integer> shots = List.of(1, 5);
        private int queries = 15;
        private int episodes = 600;
        private List<FewShotMethod> classifiers = List.of(FewShotMethod.PROTOTYPE);
        private long seed;
        private Path out;
        private int batchSize = 256;

        private Builder(Path runDir) {
            this.runDir = Objects.requireNonNull(runDir, "runDir");
        }

        /** The dataset plugin (default: the run's own). */
        public Builder data(String id) {
            this.dataId = id;
            return this;
        }

        /** One parameter of the dataset plugin. */
        public Builder dataParam(String name, Object value) {
            dataParams.put(Objects.requireNonNull(name, "name"), value);
            return this;
        }

        /** The classes, by label or name; null for every class (the default). */
        public Builder classes(List<String> classes) {
            this.classes = classes == null ? null : new ArrayList<>(classes);
            return this;
        }

        /** The split (default test). */
        public Builder split(Split split) {
            this.split = Objects.requireNonNull(split);
            return this;
        }

        /** N of each setting (default 5). */
        public Builder ways(List<Integer> ways) {
            this.ways = List.copyOf(ways);
            return this;
        }

        /** K of each setting (default 1 and 5). */
        public Builder shots(List<Integer> shots) {
            this.shots = List.copyOf(shots);
            return this;
        }

        /** Queries per class and episode (default 15). */
        public Builder queries(int queries) {
            this.queries = queries;
            return this;
        }

        /** Episodes per setting (default 600). */
        public Builder episodes(int episodes) {
            this.episodes = episodes;
            return this;
        }

        /** The classifiers (default prototype). */
        public Builder classifiers(List<FewShotMethod> classifiers) {
            this.classifiers = List.copyOf(classifiers);
            return this;
        }

        /** The seed (default 0). */
        public Builder seed(long seed) {
            this.seed = seed;
            return this;
        }

        /** The results file (default: the run directory's first free fewshot.json, fewshot-2.json, …). */
        public Builder out(Path out) {
            this.out = out;
            return this;
        }

        /** Images per forward pass (default 256). */
        public Builder batchSize(int batchSize) {
            this.batchSize = batchSize;
            return this;
        }

        /** The request. */
        public FewShotRequest build() {
            return new FewShotRequest(
                    runDir,
                    Optional.ofNullable(dataId),
                    dataParams,
                    Optional.ofNullable(classes),
                    split,
                    ways,
                    shots,
                    queries,
                    episodes,
                    classifiers,
                    seed,
                    Optional.ofNullable(out),
                    batchSize);
        }
    }
}
