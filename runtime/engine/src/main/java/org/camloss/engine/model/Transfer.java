package org.camloss.engine.model;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.misc.FrozenLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Copies a trained model's parameters into a newly assembled one, layer by layer and parameter by parameter, matched
 * strictly by name and shape: the backbone's weights and batch-norm running statistics (which DL4J keeps as
 * parameters) exactly, and the head's when asked. Every mismatch is collected into one message.
 */
public final class Transfer {
    private Transfer() {}

    /**
     * What to do about the first convolution when the source was trained on another number of input channels.
     */
    public enum FirstConv {
        /** Refuse: the message names both channel counts. */
        REFUSE,
        /**
         * Adapt the weights as timm's {@code adapt_input_conv} does: for one target channel, the sum over the source's
         * channels (exactly what the source computes on a grey image repeated in every channel); otherwise the source's
         * channels repeated and scaled by source/target channels.
         */
        ADAPT
    }

    /**
     * Copies {@code from}'s parameters into {@code to}.
     *
     * @param head      whether to copy the head's too (else it keeps its fresh initialisation)
     * @param firstConv the rule for a first convolution whose input channels differ
     * @return the names of the layers copied
     * @throws IllegalArgumentException listing every layer of {@code to}'s backbone that {@code from} lacks, every
     *     parameter whose shape differs, and the head when its class count differs and {@code head} is set
     */
    public static List<String> copy(ComputationGraph from, ComputationGraph to, boolean head, FirstConv firstConv) {
        List<String> problems = new ArrayList<>();
        List<String> copied = new ArrayList<>();
        String firstConvName = firstConvolution(to);
        for (Layer target : to.getLayers()) {
            String name = target.conf().getLayer().getLayerName();
            if (target.numParams() == 0 || (name.equals(CamModel.HEAD) && !head)) {
                continue;
            }
            if (from.getConfiguration().getVertices().get(name) == null
                    || !from.getVertex(name).hasLayer()) {
                problems.add("layer '" + name + "' is not in the source model");
                continue;
            }
            Map<String, INDArray> source = from.getLayer(name).paramTable();
            for (Map.Entry<String, INDArray> p : target.paramTable().entrySet()) {
                INDArray s = source.get(p.getKey());
                if (s == null) {
                    problems.add("layer '" + name + "' has no parameter '" + p.getKey() + "' in the source model");
                } else if (!Arrays.equals(s.shape(), p.getValue().shape())) {
                    INDArray adapted = name.equals(firstConvName) && p.getKey().equals("W")
                            ? adaptInputChannels(s, p.getValue().shape(), firstConv)
                            : null;
                    if (adapted == null) {
                        problems.add("layer '" + name + "' parameter '" + p.getKey() + "': the source's shape is "
                                + Arrays.toString(s.shape()) + ", this model's "
                                + Arrays.toString(p.getValue().shape())
                                + (name.equals(firstConvName)
                                                && p.getKey().equals("W")
                                                && onlyInputChannelsDiffer(
                                                        s.shape(), p.getValue().shape())
                                        ? " (the input channels differ: set init.first_conv: adapt to adapt the first "
                                                + "convolution)"
                                        : name.equals(CamModel.HEAD)
                                                ? " (another class count: use init.parts: backbone)"
                                                : ""));
                    } else {
                        p.getValue().assign(adapted);
                    }
                } else {
                    p.getValue().assign(s);
                }
            }
            copied.add(name);
        }
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException(
                    "the source model does not fit this config's model: " + String.join("; ", problems));
        }
        return copied;
    }

    /** True when two convolution weight shapes [out, in, kh, kw] differ in their input channels only. */
    static boolean onlyInputChannelsDiffer(long[] a, long[] b) {
        return a.length == 4 && b.length == 4 && a[0] == b[0] && a[1] != b[1] && a[2] == b[2] && a[3] == b[3];
    }

    /** The first convolution layer that reads the network input, or null. */
    static String firstConvolution(ComputationGraph g) {
        String input = g.getConfiguration().getNetworkInputs().get(0);
        for (Map.Entry<String, List<String>> e :
                g.getConfiguration().getVertexInputs().entrySet()) {
            if (e.getValue().contains(input) && g.getVertex(e.getKey()).hasLayer()) {
                var conf = g.getLayer(e.getKey()).conf().getLayer();
                if (conf instanceof FrozenLayer f) {
                    conf = f.getLayer();
                }
                if (conf instanceof ConvolutionLayer) {
                    return e.getKey();
                }
            }
        }
        return null;
    }

    /**
     * The source's convolution weights [out, in_s, kh, kw] for {@code in_t} input channels, or null when the rule
     * refuses or more than the input channels differ.
     */
    static INDArray adaptInputChannels(INDArray w, long[] target, FirstConv rule) {
        if (rule == FirstConv.REFUSE
                || w.rank() != 4
                || target.length != 4
                || w.size(0) != target[0]
                || w.size(2) != target[2]
                || w.size(3) != target[3]) {
            return null;
        }
        long inSource = w.size(1);
        long inTarget = target[1];
        if (inTarget == 1) {
            return w.sum(true, 1);
        }
        List<INDArray> parts = new ArrayList<>();
        for (long c = 0; c < inTarget; c++) {
            parts.add(w.get(
                    org.nd4j.linalg.indexing.NDArrayIndex.all(),
                    org.nd4j.linalg.indexing.NDArrayIndex.interval(c % inSource, c % inSource + 1),
                    org.nd4j.linalg.indexing.NDArrayIndex.all(),
                    org.nd4j.linalg.indexing.NDArrayIndex.all()));
        }
        INDArray out = org.nd4j.linalg.factory.Nd4j.concat(1, parts.toArray(new INDArray[0]));
        return out.muli((double) inSource / inTarget);
    }
}
