package org.camloss.api;

import java.util.List;

/**
 * What a backbone declares about its output: the channel count and total stride of the last feature
 * map, and its intermediate stages (for feature distillers).
 *
 * @param channels C of the last feature map
 * @param stride   total downsampling factor of the last feature map
 * @param stages   named intermediate outputs, shallow to deep; the last equals the feature map
 */
public record BackboneInfo(int channels, int stride, List<Stage> stages) {
    public BackboneInfo {
        stages = List.copyOf(stages);
    }

    /** The feature-map height and width for an input shape ({@code ceil(size / stride)}). */
    public int[] outputSize(InputShape input) {
        return new int[] {ceilDiv(input.height(), stride), ceilDiv(input.width(), stride)};
    }

    private static int ceilDiv(int a, int b) {
        return (a + b - 1) / b;
    }

    /**
     * One intermediate output.
     *
     * @param vertex   graph vertex name
     * @param channels its channels
     * @param stride   its total stride
     */
    public record Stage(String vertex, int channels, int stride) {}
}
