package org.camloss.cli.bench;

/**
 * One benchmark case.
 *
 * @param backbone backbone id
 * @param depth    backbone depth param, or 0 to leave the backbone's default
 * @param height   input rows
 * @param width    input columns
 * @param channels input channels
 * @param batch    batch size
 * @param loss     loss id
 * @param params   further backbone params ({@code name -> value}), e.g. {@code zoo} for {@code dl4j-graph}
 */
public record BenchCase(
        String backbone,
        int depth,
        int height,
        int width,
        int channels,
        int batch,
        String loss,
        java.util.Map<String, Object> params) {
    public BenchCase {
        params = java.util.Map.copyOf(params);
    }

    /** A case without further backbone params. */
    public BenchCase(String backbone, int depth, int height, int width, int channels, int batch, String loss) {
        this(backbone, depth, height, width, channels, batch, loss, java.util.Map.of());
    }
    /** {@code HxWxC}. */
    public String input() {
        return height + "x" + width + "x" + channels;
    }

    /** A short label, e.g. {@code resnet-cifar-20 32x32x3 b128 cam-loss}. */
    public String label() {
        return backbone + (depth > 0 ? "-" + depth : "") + " " + input() + " b" + batch + " " + loss;
    }
}
