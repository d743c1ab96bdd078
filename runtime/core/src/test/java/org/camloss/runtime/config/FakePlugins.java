package org.camloss.runtime.config;

import java.util.List;
import org.camloss.api.Backbone;
import org.camloss.api.BackboneFactory;
import org.camloss.api.DatasetFactory;
import org.camloss.api.Distiller;
import org.camloss.api.DistillerFactory;
import org.camloss.api.Loss;
import org.camloss.api.LossFactory;
import org.camloss.api.ParamSpec;
import org.camloss.api.Params;
import org.camloss.api.Regularizer;
import org.camloss.api.RegularizerFactory;
import org.camloss.api.data.Dataset;
import org.camloss.runtime.registry.PluginKind;
import org.camloss.runtime.registry.PluginRegistry;

/** Small fake factories standing in for the real plugins, registered by hand; none can create anything. */
final class FakePlugins {
    private FakePlugins() {}

    static final List<ParamSpec> CAM_LOSS_PARAMS = List.of(
            ParamSpec.ofDouble("alpha", 1.0, 0, 10, "weight of the CAM term"),
            ParamSpec.ofChoice("routing", "label", List.of("label", "prediction"), "which class's CAM"),
            ParamSpec.ofChoice("normalization", "min-max", List.of("min-max", "softmax"), "CAM normalization"),
            ParamSpec.ofDouble("eps", 1e-6, 0, 1, "stabilizer"),
            ParamSpec.ofInt("warmup_epochs", 0, 0, 1000, "epochs before the CAM term starts"),
            ParamSpec.ofInt("ramp_epochs", 0, 0, 1000, "epochs to ramp the CAM term up"));

    static LossFactory loss(String id, List<String> aliases, List<ParamSpec> params) {
        return new LossFactory() {
            @Override
            public String id() {
                return id;
            }

            @Override
            public String description() {
                return "Fake loss.";
            }

            @Override
            public List<String> aliases() {
                return aliases;
            }

            @Override
            public List<ParamSpec> params() {
                return params;
            }

            @Override
            public Loss create(Params params) {
                throw new UnsupportedOperationException("test fake");
            }
        };
    }

    static BackboneFactory backbone(String id, List<ParamSpec> params) {
        return new BackboneFactory() {
            @Override
            public String id() {
                return id;
            }

            @Override
            public String description() {
                return "Fake backbone.";
            }

            @Override
            public List<ParamSpec> params() {
                return params;
            }

            @Override
            public Backbone create(Params params) {
                throw new UnsupportedOperationException("test fake");
            }
        };
    }

    static DatasetFactory dataset(String id, List<ParamSpec> params) {
        return new DatasetFactory() {
            @Override
            public String id() {
                return id;
            }

            @Override
            public String description() {
                return "Fake dataset.";
            }

            @Override
            public List<ParamSpec> params() {
                return params;
            }

            @Override
            public Dataset create(Params params) {
                throw new UnsupportedOperationException("test fake");
            }
        };
    }

    static RegularizerFactory regularizer(String id, List<ParamSpec> params) {
        return new RegularizerFactory() {
            @Override
            public String id() {
                return id;
            }

            @Override
            public String description() {
                return "Fake regularizer.";
            }

            @Override
            public List<ParamSpec> params() {
                return params;
            }

            @Override
            public Regularizer create(Params params) {
                throw new UnsupportedOperationException("test fake");
            }
        };
    }

    static DistillerFactory distiller(String id, List<ParamSpec> params) {
        return new DistillerFactory() {
            @Override
            public String id() {
                return id;
            }

            @Override
            public String description() {
                return "Fake distiller.";
            }

            @Override
            public List<ParamSpec> params() {
                return params;
            }

            @Override
            public Distiller create(Params params) {
                throw new UnsupportedOperationException("test fake");
            }
        };
    }

    /**
     * loss: cam-loss (alias cam-loss-v1; alpha, routing, normalization, eps, warmup_epochs, ramp_epochs),
     * cross-entropy (no params); backbone: resnet-cifar (depth, width); dataset: shapes (train, test, size);
     * regularizer: label-smoothing (epsilon); distiller: caam-cam (beta, tag).
     */
    static PluginRegistry registry() {
        return PluginRegistry.builder()
                .register(PluginKind.LOSS, loss("cam-loss", List.of("cam-loss-v1"), CAM_LOSS_PARAMS))
                .register(PluginKind.LOSS, loss("cross-entropy", List.of(), List.of()))
                .register(
                        PluginKind.BACKBONE,
                        backbone(
                                "resnet-cifar",
                                List.of(
                                        ParamSpec.ofInt("depth", 20, 8, 110, "layers"),
                                        ParamSpec.ofInt("width", 16, 4, 256, "channels of the first stage"))))
                .register(
                        PluginKind.DATASET,
                        dataset(
                                "shapes",
                                List.of(
                                        ParamSpec.ofInt("train", 2000, 1, 1_000_000, "training examples"),
                                        ParamSpec.ofInt("test", 500, 1, 1_000_000, "test examples"),
                                        ParamSpec.ofInt("size", 32, 8, 512, "image side"))))
                .register(
                        PluginKind.REGULARIZER,
                        regularizer("label-smoothing", List.of(ParamSpec.ofDouble("epsilon", 0.1, 0, 1, "smoothing"))))
                .register(
                        PluginKind.DISTILLER,
                        distiller(
                                "caam-cam",
                                List.of(
                                        ParamSpec.ofDouble("beta", 1.0, 0, 100, "weight"),
                                        ParamSpec.ofString("tag", "default", "free text"))))
                .build();
    }
}
