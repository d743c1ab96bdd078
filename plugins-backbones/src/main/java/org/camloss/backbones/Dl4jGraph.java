package org.camloss.backbones;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import org.camloss.api.Backbone;
import org.camloss.api.BackboneContext;
import org.camloss.api.BackboneInfo;
import org.camloss.api.InputShape;
import org.camloss.api.layers.FastConvolution;
import org.camloss.api.layers.StoredModels;
import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration.GraphBuilder;
import org.deeplearning4j.nn.conf.InputPreProcessor;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.graph.GraphVertex;
import org.deeplearning4j.nn.conf.graph.LayerVertex;
import org.deeplearning4j.nn.conf.graph.MergeVertex;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.BaseLayer;
import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.conf.layers.LocalResponseNormalization;
import org.deeplearning4j.nn.conf.layers.SpaceToDepthLayer;
import org.deeplearning4j.nn.conf.layers.SubsamplingLayer;
import org.deeplearning4j.nn.conf.layers.Upsampling2D;
import org.deeplearning4j.nn.conf.layers.ZeroPaddingLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.zoo.ZooModel;
import org.deeplearning4j.zoo.model.AlexNet;
import org.deeplearning4j.zoo.model.Darknet19;
import org.deeplearning4j.zoo.model.ResNet50;
import org.deeplearning4j.zoo.model.SimpleCNN;
import org.deeplearning4j.zoo.model.SqueezeNet;
import org.deeplearning4j.zoo.model.VGG16;
import org.deeplearning4j.zoo.model.VGG19;
import org.deeplearning4j.zoo.model.Xception;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Bring your own architecture: a DL4J network, from a {@code deeplearning4j-zoo} model built untrained or
 * from a model file, cut at a named vertex whose output becomes the feature map.
 *
 * <p>The source is read as a {@link ComputationGraphConfiguration} (a {@code MultiLayerNetwork} becomes a
 * chain of layers named as in its configuration, or {@code layer<i>}); the cut vertex and everything it
 * depends on are copied into the camloss graph under the prefix {@code src_}, with the source's network input
 * replaced by the camloss input. Each copied layer keeps its architecture and weight initialisation but loses
 * its updater and regularisation (camloss's optimizer owns them), and is switched to the context's data
 * format; merge vertices are re-created so that they concatenate along the channel axis of that format.
 *
 * <p>Zoo models are built for the input shape at hand ({@code inputShape}); a model file keeps its own and
 * must match the data's channels. The declared channels and stride come from the source's activation types
 * at its reference input (the zoo model's default input shape; for a file, the first layer's channels at
 * 224×224), so for sources with {@code ConvolutionMode.Truncate} the map may be smaller than
 * {@code ceil(size / stride)} on inputs that are not multiples of the stride.
 *
 * <p>A {@code file}'s trained parameters (batch-norm statistics included) are copied into the copied layers
 * once the model is initialised ({@link #initialize}); zoo models start untrained. Immutable.
 */
public final class Dl4jGraph implements Backbone {
    /** Prefix of every copied vertex. */
    public static final String PREFIX = "src_";

    /** Zoo architectures by the name configs use, each made for a {channels, height, width} input shape. */
    /**
     * Zoo architectures by the name configs use, each made for a {channels, height, width} input shape (null:
     * the model's default).
     */
    static final Map<String, Function<int[], ZooModel<?>>> ZOO = new TreeMap<>(Map.of(
            "simple-cnn",
                    s -> s == null
                            ? SimpleCNN.builder().numClasses(10).build()
                            : SimpleCNN.builder().inputShape(s).numClasses(10).build(),
            "alexnet",
                    s -> s == null
                            ? AlexNet.builder().numClasses(1000).build()
                            : AlexNet.builder().inputShape(s).numClasses(1000).build(),
            "vgg16",
                    s -> s == null
                            ? VGG16.builder().numClasses(1000).build()
                            : VGG16.builder().inputShape(s).numClasses(1000).build(),
            "vgg19",
                    s -> s == null
                            ? VGG19.builder().numClasses(1000).build()
                            : VGG19.builder().inputShape(s).numClasses(1000).build(),
            "resnet50",
                    s -> s == null
                            ? ResNet50.builder().numClasses(1000).build()
                            : ResNet50.builder().inputShape(s).numClasses(1000).build(),
            "squeezenet",
                    s -> s == null
                            ? SqueezeNet.builder().numClasses(1000).build()
                            : SqueezeNet.builder()
                                    .inputShape(s)
                                    .numClasses(1000)
                                    .build(),
            "darknet19",
                    s -> s == null
                            ? Darknet19.builder().numClasses(1000).build()
                            : Darknet19.builder().inputShape(s).numClasses(1000).build(),
            "xception",
                    s -> s == null
                            ? Xception.builder().numClasses(1000).build()
                            : Xception.builder().inputShape(s).numClasses(1000).build()));

    private final String zoo;
    private final Path file;
    private final String vertex;
    private final BackboneInfo info;

    /**
     * @param zoo    a zoo architecture name (see {@link #ZOO}), or empty
     * @param file   a model file written by DL4J's {@code ModelSerializer}, or empty; exactly one of the two
     * @param vertex the vertex (or layer) to cut at
     * @throws IllegalArgumentException when the source is missing, ambiguous or unreadable, or the vertex does
     *     not exist or does not output a 4-D map; the message lists the graph's vertices
     */
    public Dl4jGraph(String zoo, String file, String vertex) {
        if (zoo.isEmpty() == file.isEmpty()) {
            throw new IllegalArgumentException(
                    "dl4j-graph needs exactly one of 'zoo' or 'file', found " + (zoo.isEmpty() ? "neither" : "both"));
        }
        if (!zoo.isEmpty() && !ZOO.containsKey(zoo)) {
            throw new IllegalArgumentException("no zoo model '" + zoo + "'; available: " + ZOO.keySet());
        }
        this.zoo = zoo;
        this.file = file.isEmpty() ? null : Path.of(file);
        this.vertex = vertex;
        Source src = source(null);
        Map<String, InputType> types = src.conf().getLayerActivationTypes(src.input());
        List<String> vertices = order(src.conf());
        if (!types.containsKey(vertex) || src.conf().getNetworkInputs().contains(vertex)) {
            throw new IllegalArgumentException(
                    "vertex '" + vertex + "' is not in " + describe() + "; vertices: " + vertices);
        }
        if (!(types.get(vertex) instanceof InputType.InputTypeConvolutional out)) {
            List<String> maps = vertices.stream()
                    .filter(v -> types.get(v) instanceof InputType.InputTypeConvolutional)
                    .toList();
            throw new IllegalArgumentException("vertex '" + vertex + "' of " + describe() + " outputs "
                    + types.get(vertex) + ", not a 4-D feature map; vertices with 4-D outputs: " + maps);
        }
        InputType.InputTypeConvolutional in = (InputType.InputTypeConvolutional) src.input();
        int stride = (int) Math.max(1, in.getHeight() / out.getHeight());
        int channels = (int) out.getChannels();
        this.info =
                new BackboneInfo(channels, stride, List.of(new BackboneInfo.Stage(PREFIX + vertex, channels, stride)));
    }

    private String describe() {
        return zoo.isEmpty() ? "the model in '" + file + "'" : "zoo model '" + zoo + "'";
    }

    /** The source network's configuration and its input type, for {@code shape} (null: the source's own). */
    private record Source(ComputationGraphConfiguration conf, InputType input) {}

    private Source source(InputShape shape) {
        if (!zoo.isEmpty()) {
            ZooModel<?> reference = ZOO.get(zoo).apply(null);
            int[] s = shape == null
                    ? reference.metaData().getInputShape()[0]
                    : new int[] {shape.channels(), shape.height(), shape.width()};
            Model model = ZOO.get(zoo).apply(s).init();
            InputType input = InputType.convolutional(s[1], s[2], s[0]);
            if (model instanceof ComputationGraph g) {
                return new Source(g.getConfiguration(), input);
            }
            return new Source(chain(((MultiLayerNetwork) model).getLayerWiseConfigurations(), input), input);
        }
        String json = readConfiguration();
        ComputationGraphConfiguration conf = null;
        MultiLayerConfiguration chain = null;
        try {
            conf = ComputationGraphConfiguration.fromJson(json);
        } catch (RuntimeException notAGraph) {
            // a MultiLayerNetwork's configuration: read below
        }
        if (conf == null || conf.getNetworkInputs() == null || conf.getVertices() == null) {
            chain = MultiLayerConfiguration.fromJson(json);
            conf = null;
        }
        long channels = firstChannels(conf, chain);
        InputType input = InputType.convolutional(224, 224, channels);
        if (chain != null) {
            conf = chain(chain, input);
        }
        return new Source(conf, input);
    }

    private String readConfiguration() {
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException("model file '" + file + "' does not exist");
        }
        try (ZipFile zip = new ZipFile(file.toFile())) {
            ZipEntry entry = zip.getEntry("configuration.json");
            if (entry == null) {
                throw new IllegalArgumentException("'" + file + "' is not a DL4J model file (no configuration.json)");
            }
            try (InputStream in = zip.getInputStream(entry)) {
                return StoredModels.rename(new String(in.readAllBytes(), StandardCharsets.UTF_8));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read model file '" + file + "'", e);
        }
    }

    private static long firstChannels(ComputationGraphConfiguration graph, MultiLayerConfiguration chain) {
        Layer first = null;
        if (chain != null) {
            first = chain.getConf(0).getLayer();
        } else {
            for (String name : order(graph)) {
                if (graph.getVertices().get(name) instanceof LayerVertex lv) {
                    first = lv.getLayerConf().getLayer();
                    break;
                }
            }
        }
        if (first instanceof ConvolutionLayer c) {
            return c.getNIn();
        }
        throw new IllegalArgumentException("the first layer of the model file is not a convolution: " + first);
    }

    /** A multi-layer configuration as a graph: a chain of its layers. */
    private static ComputationGraphConfiguration chain(MultiLayerConfiguration mlc, InputType input) {
        GraphBuilder g = new NeuralNetConfiguration.Builder().graphBuilder().addInputs("input");
        String previous = "input";
        Set<String> used = new LinkedHashSet<>();
        for (int i = 0; i < mlc.getConfs().size(); i++) {
            Layer layer = mlc.getConf(i).getLayer().clone();
            String name =
                    layer.getLayerName() != null && used.add(layer.getLayerName()) ? layer.getLayerName() : "layer" + i;
            used.add(name);
            InputPreProcessor pre = mlc.getInputPreProcess(i);
            g.addLayer(name, layer, pre == null ? null : pre.clone(), previous);
            previous = name;
        }
        return g.setOutputs(previous).setInputTypes(input).build();
    }

    /** Copies a model file's parameters into the layers {@link #build} copied; nothing for zoo models. */
    @Override
    public void initialize(ComputationGraph graph) {
        if (file == null) {
            return;
        }
        org.deeplearning4j.nn.api.Layer[] layers;
        List<String> names = new java.util.ArrayList<>();
        try {
            boolean isGraph = readConfiguration().contains("\"vertices\"");
            if (isGraph) {
                ComputationGraph src = StoredModels.readGraph(file, false);
                layers = src.getLayers();
                for (org.deeplearning4j.nn.api.Layer l : layers) {
                    names.add(l.conf().getLayer().getLayerName());
                }
            } else {
                org.deeplearning4j.nn.multilayer.MultiLayerNetwork src = StoredModels.readNetwork(file, false);
                layers = src.getLayers();
                Set<String> used = new LinkedHashSet<>();
                for (int i = 0; i < layers.length; i++) {
                    String n = layers[i].conf().getLayer().getLayerName();
                    String name = n != null && used.add(n) ? n : "layer" + i;
                    used.add(name);
                    names.add(name);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the parameters of model file '" + file + "'", e);
        }
        for (int i = 0; i < layers.length; i++) {
            org.deeplearning4j.nn.api.Layer target =
                    graph.getVertex(PREFIX + names.get(i)) == null ? null : graph.getLayer(PREFIX + names.get(i));
            if (target == null) {
                continue; // beyond the cut
            }
            for (java.util.Map.Entry<String, INDArray> e :
                    layers[i].paramTable().entrySet()) {
                target.getParam(e.getKey()).assign(e.getValue());
            }
        }
    }

    @Override
    public BackboneInfo info() {
        return info;
    }

    @Override
    public String build(BackboneContext context) {
        Source src = source(zoo.isEmpty() ? null : context.shape());
        ComputationGraphConfiguration conf = src.conf();
        long channels = ((InputType.InputTypeConvolutional) src.input()).getChannels();
        if (channels != context.shape().channels()) {
            throw new IllegalArgumentException(describe() + " takes " + channels + " input channels, the data has "
                    + context.shape().channels());
        }
        Set<String> needed = new LinkedHashSet<>();
        collect(conf, vertex, needed);
        GraphBuilder g = context.graph();
        for (String name : order(conf)) {
            if (!needed.contains(name) || conf.getNetworkInputs().contains(name)) {
                continue;
            }
            List<String> inputs = conf.getVertexInputs().get(name);
            String[] mapped = inputs.stream()
                    .map(i -> conf.getNetworkInputs().contains(i) ? context.input() : PREFIX + i)
                    .toArray(String[]::new);
            GraphVertex v = conf.getVertices().get(name);
            if (v instanceof LayerVertex lv) {
                Layer layer = lv.getLayerConf().getLayer().clone();
                layer.setLayerName(PREFIX + name);
                if (layer instanceof BaseLayer b) {
                    b.setIUpdater(null);
                    b.setBiasUpdater(null);
                    b.setRegularization(new ArrayList<>());
                    b.setRegularizationBias(new ArrayList<>());
                }
                setFormat(layer, context.format(), name);
                layer = fastConvolution(layer, context.format());
                InputPreProcessor pre = lv.getPreProcessor();
                g.addLayer(PREFIX + name, layer, pre == null ? null : pre.clone(), mapped);
            } else if (v instanceof MergeVertex) {
                g.addVertex(PREFIX + name, new MergeVertex(), mapped);
            } else {
                g.addVertex(PREFIX + name, v.clone(), mapped);
            }
        }
        return PREFIX + vertex;
    }

    /**
     * DL4J's own {@link ConvolutionLayer} (exactly that class) as camloss's {@link FastConvolution} with the same
     * settings, in NHWC: DL4J M2.1's NHWC convolution with a non-identity activation returns wrong weight gradients
     * when the oneDNN helper runs it (the zoo's AlexNet and VGG convolutions have ReLUs), and FastConvolution computes
     * the same outputs with correct gradients and without DL4J's NCHW input copy. Same parameters, so weights copy
     * as before. Other layers are returned as they are.
     */
    static Layer fastConvolution(Layer layer, CNN2DFormat format) {
        if (layer.getClass() != ConvolutionLayer.class || format != CNN2DFormat.NHWC) {
            return layer;
        }
        try {
            var mapper = org.deeplearning4j.nn.conf.NeuralNetConfiguration.mapper();
            String json = mapper.writerFor(Layer.class).writeValueAsString(layer);
            return mapper.readValue(
                    json.replace(
                            '"' + ConvolutionLayer.class.getName() + '"', '"' + FastConvolution.class.getName() + '"'),
                    Layer.class);
        } catch (IOException e) {
            throw new IllegalStateException("cannot copy convolution '" + layer.getLayerName() + "'", e);
        }
    }

    /** The vertices (without the network inputs) in a topological order: every vertex after its inputs. */
    static List<String> order(ComputationGraphConfiguration conf) {
        Set<String> done = new LinkedHashSet<>(conf.getNetworkInputs());
        for (String name : conf.getVertices().keySet()) {
            visit(conf, name, done);
        }
        List<String> out = new ArrayList<>(done);
        out.removeAll(conf.getNetworkInputs());
        return out;
    }

    private static void visit(ComputationGraphConfiguration conf, String name, Set<String> done) {
        if (done.contains(name)) {
            return;
        }
        for (String in : conf.getVertexInputs().getOrDefault(name, List.of())) {
            visit(conf, in, done);
        }
        done.add(name);
    }

    private static void collect(ComputationGraphConfiguration conf, String name, Set<String> out) {
        if (!out.add(name)) {
            return;
        }
        for (String in : conf.getVertexInputs().getOrDefault(name, List.of())) {
            collect(conf, in, out);
        }
    }

    private static void setFormat(Layer layer, CNN2DFormat format, String name) {
        if (layer instanceof ConvolutionLayer c) {
            c.setCnn2dDataFormat(format);
        } else if (layer instanceof SubsamplingLayer s) {
            s.setCnn2dDataFormat(format);
        } else if (layer instanceof BatchNormalization b) {
            b.setCnn2DFormat(format);
        } else if (layer instanceof ZeroPaddingLayer z) {
            z.setDataFormat(format);
        } else if (layer instanceof LocalResponseNormalization l) {
            l.setDataFormat(format);
        } else if (layer instanceof Upsampling2D u) {
            u.setFormat(format);
        } else if (layer instanceof SpaceToDepthLayer s) {
            s.setDataFormat(format);
        }
        // other layers (activations, dropout, ...) are format-agnostic
    }

    @Override
    public String toString() {
        return "dl4j-graph(" + (zoo.isEmpty() ? "file=" + file : "zoo=" + zoo) + ", vertex=" + vertex + ")";
    }
}
