package org.camloss.runtime.explain;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * What {@link Explain} explains, and how. Build with {@link #builder(Path)}; {@link Explain#run} checks every value
 * against the model and the inputs before any work.
 *
 * @param model            a camloss run directory, a camloss {@code model.zip}, or a DL4J {@code ComputationGraph} file
 * @param best             for a run: its {@code model-best.zip} instead of {@code model.zip}
 * @param logitsLayer      for a plain DL4J graph: the dense or output layer whose input x gives the logits x·W + b
 * @param featuresLayer    for a plain DL4J graph: the map whose global average is x (found when empty)
 * @param format           for a plain DL4J graph: {@code NHWC} or {@code NCHW} (empty: the graph's input type, else NHWC)
 * @param inputShape       {@code HxWxC} for a model file that does not record its input size (empty otherwise)
 * @param mean             per-channel mean after /255 for {@code --images} (empty: the run's data, else 0)
 * @param std              per-channel std for {@code --images} (empty: the run's data, else 1)
 * @param images           image files and directories (searched recursively), or empty with {@code split}
 * @param split            a split of the run's (or {@code dataset}'s) data: {@code test}, {@code train} or
 *                         {@code validation}; empty with {@code images}
 * @param dataset          a dataset plugin id for {@code split} (empty: the run's own data)
 * @param dataParams       {@code name=value} parameters of {@code dataset}
 * @param limit            explain only the first N images (0: all)
 * @param indices          explain only these indices of the split (empty: all); for reports
 * @param masks            a directory of object masks matching {@code images} by relative path (empty: none)
 * @param methods          CAM method ids, in order (empty: {@code cam} where the layer has a linear head, else
 *                         {@code grad-cam}); {@code all} for every installed method
 * @param methodParams     {@code id.name=value} parameters of the methods
 * @param layer            the target layer (empty: the map the model's head pools)
 * @param target           {@code pred} (default), {@code true}, or a class index or name
 * @param out              the output directory to create (null: beside the run, or {@code explain-<time>}); never an
 *                         existing one
 * @param write            whether to write files at all (false: the result holds everything in memory)
 * @param overlays         whether to write a PNG overlay per image and method
 * @param gridRows         images in {@code grid.png} (0: no grid)
 * @param scale            enlargement of overlays (0: automatic, at least 112 pixels on the longer side)
 * @param batchSize        images per forward pass
 * @param faithfulness     the faithfulness settings, or null for no faithfulness metrics
 * @param keepImages       whether the result keeps each image's display pixels and maps (for reports)
 */
public record ExplainRequest(
        Path model,
        boolean best,
        String logitsLayer,
        String featuresLayer,
        String format,
        String inputShape,
        List<Double> mean,
        List<Double> std,
        List<Path> images,
        String split,
        String dataset,
        List<String> dataParams,
        int limit,
        List<Integer> indices,
        Path masks,
        List<String> methods,
        List<String> methodParams,
        String layer,
        String target,
        Path out,
        boolean write,
        boolean overlays,
        int gridRows,
        int scale,
        int batchSize,
        FaithfulnessOptions faithfulness,
        boolean keepImages) {
    /** Copies the lists. */
    public ExplainRequest {
        Objects.requireNonNull(model, "model");
        mean = List.copyOf(mean);
        std = List.copyOf(std);
        images = List.copyOf(images);
        dataParams = List.copyOf(dataParams);
        indices = List.copyOf(indices);
        methods = List.copyOf(methods);
        methodParams = List.copyOf(methodParams);
    }

    /** The faithfulness settings, when asked for. */
    public Optional<FaithfulnessOptions> faithfulnessOptions() {
        return Optional.ofNullable(faithfulness);
    }

    /** A builder for the model (a run directory, a camloss model file or a DL4J graph file). */
    public static Builder builder(Path model) {
        return new Builder(model);
    }

    /** Builds an {@link ExplainRequest}; defaults as documented on the record. */
    public static final class Builder {
        private final Path model;
        private boolean best;
        private String logitsLayer = "";
        private String featuresLayer = "";
        private String format = "";
        private String inputShape = "";
        private List<Double> mean = List.of();
        private List<Double> std = List.of();
        private final List<Path> images = new ArrayList<>();
        private String split = "";
        private String dataset = "";
        private List<String> dataParams = List.of();
        private int limit;
        private List<Integer> indices = List.of();
        private Path masks;
        private List<String> methods = List.of();
        private List<String> methodParams = List.of();
        private String layer = "";
        private String target = "pred";
        private Path out;
        private boolean write = true;
        private boolean overlays = true;
        private int gridRows = 16;
        private int scale;
        private int batchSize = 64;
        private FaithfulnessOptions faithfulness;
        private boolean keepImages;

        private Builder(Path model) {
            this.model = Objects.requireNonNull(model, "model");
        }

        /** Use the run's best model. */
        public Builder best(boolean best) {
            this.best = best;
            return this;
        }

        /** A plain graph's logits layer, feature layer and layout. */
        public Builder graph(String logits, String features, String format) {
            this.logitsLayer = Objects.requireNonNullElse(logits, "");
            this.featuresLayer = Objects.requireNonNullElse(features, "");
            this.format = Objects.requireNonNullElse(format, "");
            return this;
        }

        /** The input size of a model file that does not record it, {@code HxWxC}. */
        public Builder inputShape(String shape) {
            this.inputShape = Objects.requireNonNullElse(shape, "");
            return this;
        }

        /** Per-channel normalisation of image files. */
        public Builder normalization(List<Double> mean, List<Double> std) {
            this.mean = List.copyOf(mean);
            this.std = List.copyOf(std);
            return this;
        }

        /** Image files and directories. */
        public Builder images(List<Path> paths) {
            images.addAll(paths);
            return this;
        }

        /** A split of the run's data, or of {@code dataset} with {@code params} ({@code name=value}). */
        public Builder data(String split, String dataset, List<String> params) {
            this.split = Objects.requireNonNullElse(split, "");
            this.dataset = Objects.requireNonNullElse(dataset, "");
            this.dataParams = List.copyOf(params);
            return this;
        }

        /** Only the first N images (0: all). */
        public Builder limit(int limit) {
            this.limit = limit;
            return this;
        }

        /** Only these indices of the split. */
        public Builder indices(List<Integer> indices) {
            this.indices = List.copyOf(indices);
            return this;
        }

        /** A directory of masks matching the image files. */
        public Builder masks(Path masks) {
            this.masks = masks;
            return this;
        }

        /** Method ids and {@code id.name=value} parameters. */
        public Builder methods(List<String> ids, List<String> params) {
            this.methods = List.copyOf(ids);
            this.methodParams = List.copyOf(params);
            return this;
        }

        /** The target layer (empty: the head's map). */
        public Builder layer(String layer) {
            this.layer = Objects.requireNonNullElse(layer, "");
            return this;
        }

        /** {@code pred}, {@code true}, or a class index or name. */
        public Builder target(String target) {
            this.target = Objects.requireNonNull(target, "target");
            return this;
        }

        /** The output directory. */
        public Builder out(Path out) {
            this.out = out;
            return this;
        }

        /** Whether to write files. */
        public Builder write(boolean write) {
            this.write = write;
            return this;
        }

        /** Whether to write one overlay per image and method. */
        public Builder overlays(boolean overlays) {
            this.overlays = overlays;
            return this;
        }

        /** Images in the grid (0: none). */
        public Builder gridRows(int rows) {
            this.gridRows = rows;
            return this;
        }

        /** Enlargement of overlays (0: automatic). */
        public Builder scale(int scale) {
            this.scale = scale;
            return this;
        }

        /** Images per forward pass. */
        public Builder batchSize(int batchSize) {
            this.batchSize = batchSize;
            return this;
        }

        /** Faithfulness metrics with these settings (null: none). */
        public Builder faithfulness(FaithfulnessOptions options) {
            this.faithfulness = options;
            return this;
        }

        /** Keep each image's pixels and maps in the result. */
        public Builder keepImages(boolean keep) {
            this.keepImages = keep;
            return this;
        }

        /** The request. */
        public ExplainRequest build() {
            return new ExplainRequest(
                    model,
                    best,
                    logitsLayer,
                    featuresLayer,
                    format,
                    inputShape,
                    mean,
                    std,
                    images,
                    split,
                    dataset,
                    dataParams,
                    limit,
                    indices,
                    masks,
                    methods,
                    methodParams,
                    layer,
                    target,
                    out,
                    write,
                    overlays,
                    gridRows,
                    scale,
                    batchSize,
                    faithfulness,
                    keepImages);
        }
    }
}
