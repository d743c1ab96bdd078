package org.camloss.runtime.registry;

import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.camloss.api.BackboneFactory;
import org.camloss.api.DatasetFactory;
import org.camloss.api.DistillerFactory;
import org.camloss.api.LossFactory;
import org.camloss.api.PluginFactory;
import org.camloss.api.RegularizerFactory;
import org.camloss.runtime.optim.OptimizerFactory;
import org.camloss.runtime.optim.ScheduleFactory;

/**
 * One kind of plugin: its name in configs and messages, and the factory service interface that
 * {@link java.util.ServiceLoader} looks up.
 *
 * <p>The kinds are the constants below; there are no others, so instances compare by identity. Six are
 * discovered with {@link java.util.ServiceLoader} (third parties add to them); optimizers and schedules are built
 * into the runtime and registered by hand.
 *
 * @param <F> the factory service interface of this kind
 */
public final class PluginKind<F extends PluginFactory<?>> {
    /** Losses ({@code loss: { id: cam-loss }}). */
    public static final PluginKind<LossFactory> LOSS = new PluginKind<>("loss", LossFactory.class, true);
    /** Backbones ({@code backbone: { id: resnet-cifar }}). */
    public static final PluginKind<BackboneFactory> BACKBONE =
            new PluginKind<>("backbone", BackboneFactory.class, true);
    /** Regularizers ({@code regularizers: [ { id: label-smoothing } ]}). */
    public static final PluginKind<RegularizerFactory> REGULARIZER =
            new PluginKind<>("regularizer", RegularizerFactory.class, true);
    /** Distillers ({@code distill: { distillers: [ { id: caam-cam } ] }}). */
    public static final PluginKind<DistillerFactory> DISTILLER =
            new PluginKind<>("distiller", DistillerFactory.class, true);
    /** Datasets ({@code data: { id: shapes }}). */
    public static final PluginKind<DatasetFactory> DATASET = new PluginKind<>("dataset", DatasetFactory.class, true);
    /** CAM methods ({@code camloss explain --method grad-cam}). */
    public static final PluginKind<org.camloss.api.cam.CamMethodFactory> CAM_METHOD =
            new PluginKind<>("cam-method", org.camloss.api.cam.CamMethodFactory.class, true);

    /** Optimizers, built in ({@code optimizer: { id: sgd }}). */
    public static final PluginKind<OptimizerFactory> OPTIMIZER =
            new PluginKind<>("optimizer", OptimizerFactory.class, false);
    /** Learning-rate schedules, built in ({@code schedule: { id: cosine }}). */
    public static final PluginKind<ScheduleFactory> SCHEDULE =
            new PluginKind<>("schedule", ScheduleFactory.class, false);

    private static final List<PluginKind<?>> ALL =
            List.of(LOSS, BACKBONE, REGULARIZER, DISTILLER, DATASET, CAM_METHOD, OPTIMIZER, SCHEDULE);

    private final String name;
    private final Class<F> factoryType;
    private final boolean discoverable;

    private PluginKind(String name, Class<F> factoryType, boolean discoverable) {
        this.name = name;
        this.factoryType = factoryType;
        this.discoverable = discoverable;
    }

    /** Every kind: loss, backbone, regularizer, distiller, dataset, cam-method, optimizer, schedule. */
    public static List<PluginKind<?>> all() {
        return ALL;
    }

    /**
     * Whether {@link java.util.ServiceLoader} finds plugins of this kind (loss, backbone, regularizer, distiller,
     * dataset, cam-method), or the runtime builds them in (optimizer, schedule).
     */
    public boolean discoverable() {
        return discoverable;
    }

    /** The kind called {@code name} ({@code "loss"}, ...), if there is one. */
    public static Optional<PluginKind<?>> byName(String name) {
        Objects.requireNonNull(name, "name");
        return ALL.stream().filter(k -> k.name.equals(name)).findFirst();
    }

    /** The lower-case name used in configs and messages, e.g. {@code "loss"}. */
    public String name() {
        return name;
    }

    /** The factory service interface, e.g. {@link LossFactory}. */
    public Class<F> factoryType() {
        return factoryType;
    }

    @Override
    public String toString() {
        return name;
    }
}
