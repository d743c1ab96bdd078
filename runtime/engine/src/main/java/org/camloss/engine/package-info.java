/**
 * The engine room: every place where camloss bends Deeplearning4j/ND4J 1.0.0-M2.1, in one module, each piece with
 * the reason it exists. Plugin authors never need these classes (the SPI is {@code org.camloss.api}); the runtime
 * and the contract kit use them.
 *
 * <h2>The pieces, and why</h2>
 * <ul>
 *   <li>{@link org.camloss.engine.head.CamHead} / {@link org.camloss.engine.head.CamHeadLayer} — the head every model
 *       ends in (global average pooling, one linear layer W [K, C], b [K], the objective), a DL4J
 *       {@code SameDiffOutputLayer}. Why bent: DL4J's output layers take one loss function of the logits, but
 *       CAM-loss needs the feature map and W inside the loss; the layer also computes loss and gradients in one pass
 *       (DL4J's own layer runs the head twice per step), runs hand-written term kernels instead of SameDiff where a
 *       term has one, records each term's value for reporting, and filters the lines SameDiff M2.1 prints on
 *       {@code System.out} while it builds a gradient graph.</li>
 *   <li>{@link org.camloss.engine.head.Objective} — the loss's, regularizers' and distillers' terms with their
 *       per-epoch weights in small arrays updated in place (warm-ups without rebuilding the graph). Why bent: it is
 *       a transient field of the head's configuration because DL4J builds layers from serialisable configurations;
 *       objectives are not stored in model files, so a model read from a file refuses to train until
 *       {@link org.camloss.engine.model.CamModel#setObjective} gives it one.</li>
 *   <li>{@link org.camloss.engine.head.TeacherColumns} — a frozen teacher's logits, target CAM and stage maps ride
 *       in the head's label array after the K target columns. Why bent: {@code ComputationGraph.fit} takes one label
 *       array per output and the head is the only output.</li>
 *   <li>{@link org.camloss.engine.model.ModelAssembler} / {@link org.camloss.engine.model.CamModel} — input →
 *       backbone → head as one {@code ComputationGraph} in NHWC, checking the backbone's declared channels and
 *       stride against the graph. Why bent: when a distiller reads stage maps, they are flattened and concatenated
 *       beside the feature map into the head's single input (a DL4J layer has one input), and the head unpacks them;
 *       {@code CamModel.forward} asks the graph for the few vertices it needs, because {@code feedForward} copies
 *       every activation out of the workspaces (a 24 GB resident run before this).</li>
 *   <li>{@link org.camloss.engine.optim.ClassicalMomentum}, {@link org.camloss.engine.optim.CosineSchedule},
 *       {@link org.camloss.engine.optim.StepSchedule}, {@link org.camloss.engine.optim.CoupledWeightDecay} — SGD as
 *       PyTorch does it (v ← μv + g, w ← w − lr·v; DL4J's {@code Nesterovs} updater is Nesterov only), schedules
 *       stepped per iteration, and L2 decay added to every gradient before the update, batch-norm scale and shift
 *       included (DL4J's own L2 skips batch-norm parameters).</li>
 *   <li>{@link org.camloss.engine.optim.HostGraphUpdater} — DL4J's graph updater with the whole update (division by
 *       the minibatch, momentum) as one Java loop over the flat gradient and state when every block is
 *       {@code ClassicalMomentum} or {@code NoOp} and nothing is regularized or clipped, bit for bit DL4J's result;
 *       installed by {@code ModelAssembler}, the resumed run's wiring and Spark's workers; {@code
 *       -Dcamloss.updater=dl4j} turns it off. Why bent: DL4J's {@code UpdaterBlock} makes views for regularization
 *       that is not configured, ~1100 native calls per ResNet-20 step.</li>
 *   <li>{@link org.camloss.engine.Backend} — the process-wide switches: DL4J's oneDNN layer helpers (off by
 *       default in M2.1 and unreachable without the shim below) and ND4J's thread count.</li>
 *   <li>{@link org.camloss.engine.conv.DnnlConvolutionBackward} — the backward pass of {@code FastConvolution}'s NHWC
 *       float convolutions on oneDNN's backward primitives, through the JavaCPP presets {@code org.bytedeco:dnnl}
 *       (found by the layer as an {@code org.camloss.api.layers.ConvolutionBackward} service). Why bent: libnd4j
 *       1.0.0-M2.1 runs {@code conv2d_bp} on generic im2col/gemm code, the largest item of a training step. It lives
 *       here so that {@code camloss-api} carries no native dependency (the presets' native jar is 15 MB, its
 *       {@code libdnnl.so.2} 56 MB unpacked).</li>
 *   <li>{@link org.camloss.engine.conv.DnnlConvolutionForward} — the forward pass of the same convolutions on oneDNN
 *       primitives created once per layer and geometry (an {@code org.camloss.api.layers.ConvolutionForward}
 *       service). Why bent: libnd4j's oneDNN helper creates its primitive in every call.</li>
 *   <li>{@code org.nd4j.nativeblas.Nd4jCpu} — a compatibility class under ND4J's old package name: DL4J M2.1 looks
 *       the oneDNN switch up there by reflection, finds nothing (the class moved) and drops every helper, which made
 *       training about 6× slower. It lives here, not in the SPI, so a plugin's class path never carries a class in
 *       ND4J's namespace.</li>
 * </ul>
 *
 * <p>The fast layers that a backbone author uses ({@code FastConvolution}, {@code FastBatchNorm},
 * {@code AddReluVertex}, {@code ZeroPadShortcutVertex} and the {@code Layers} helper) bend DL4J too, but they are part
 * of the contract, so they live in the SPI ({@code org.camloss.api.layers}); their tests live in this module's tests,
 * where the shim is on the class path.
 *
 * <p>Class names are a stored format: model files name the classes of their layers, vertices, updaters and
 * schedules. Moving one of them needs an entry in {@code org.camloss.api.layers.StoredModels#RENAMED}; the stored
 * fixtures of {@code StoredModelCompatibilityTest} guard this. Measurements behind every choice:
 * {@code docs/performance.md} and {@code docs/dl4j-notes.md}; the step sequence: {@code docs/architecture.md}.
 */
package org.camloss.engine;
