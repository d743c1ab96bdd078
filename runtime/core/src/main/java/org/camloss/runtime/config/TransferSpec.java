package org.camloss.runtime.config;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Starting from a trained model and what to train of it: the {@code init}, {@code freeze} and {@code lr_mult}
 * sections.
 *
 * @param init   where the parameters come from, or empty to start from random initialisation
 * @param freeze which part of the backbone keeps its parameters
 * @param lrMult learning-rate multipliers of the backbone and the head
 */
public record TransferSpec(Optional<InitSpec> init, FreezeSpec freeze, LrMultSpec lrMult) {
    public TransferSpec {
        Objects.requireNonNull(init, "init");
        Objects.requireNonNull(freeze, "freeze");
        Objects.requireNonNull(lrMult, "lrMult");
    }

    /** No init, nothing frozen, multipliers 1. */
    public static TransferSpec none() {
        return new TransferSpec(Optional.empty(), FreezeSpec.none(), new LrMultSpec(1, 1));
    }

    /**
     * {@code init}: copy parameters from a trained model.
     *
     * @param from      a camloss run directory, its {@code model.zip}, or any DL4J ComputationGraph file whose layers
     *                  are named like this config's backbone's
     * @param parts     {@code backbone} (the head starts afresh) or {@code all} (the head too; same class count)
     * @param firstConv what to do when the source was trained on another number of input channels: {@code refuse},
     *                  or {@code adapt} the first convolution's weights as timm's {@code adapt_input_conv} does (sum
     *                  over the source's channels for one input channel; repeat and scale by source/target channels
     *                  otherwise)
     */
    public record InitSpec(String from, String parts, String firstConv) {
        /** In config layout. */
        public Map<String, Object> toMap() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("from", from);
            m.put("parts", parts);
            m.put("first_conv", firstConv);
            return m;
        }
    }

    /**
     * {@code freeze}: which part of the backbone keeps its (initial) parameters.
     *
     * @param backbone  the whole backbone (a linear probe with {@code init.parts: backbone})
     * @param stages    the first this many of the backbone's declared stages (0: none)
     * @param batchNorm {@code inference}: frozen batch norms normalise with their running statistics (the usual); or
     *                  {@code train}: with the batch's statistics, updating their running statistics (their scale and
     *                  shift stay frozen)
     */
    public record FreezeSpec(boolean backbone, int stages, String batchNorm) {
        /** Nothing frozen. */
        public static FreezeSpec none() {
            return new FreezeSpec(false, 0, "inference");
        }

        /** Whether anything is frozen. */
        public boolean any() {
            return backbone || stages > 0;
        }

        /** In config layout. */
        public Map<String, Object> toMap() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("backbone", backbone);
            m.put("stages", stages);
            m.put("batch_norm", batchNorm);
            return m;
        }
    }

    /**
     * {@code lr_mult}: the learning rate of each part is the optimizer's (and schedule's) times its multiplier.
     *
     * @param backbone multiplier of the backbone's layers
     * @param head     multiplier of the head (the linear classifier)
     */
    public record LrMultSpec(double backbone, double head) {
        /** In config layout. */
        public Map<String, Object> toMap() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("backbone", backbone);
            m.put("head", head);
            return m;
        }
    }

    /** The sections in config layout ({@code init} only when present). */
    public void putInto(Map<String, Object> config) {
        init.ifPresent(i -> config.put("init", i.toMap()));
        config.put("freeze", freeze.toMap());
        config.put("lr_mult", lrMult.toMap());
    }
}
