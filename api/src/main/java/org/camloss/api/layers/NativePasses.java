package org.camloss.api.layers;

import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;
import java.util.function.Function;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the fast layers share about their native passes ({@link ConvolutionForward}, {@link ConvolutionBackward},
 * {@link BatchNormTraining}): finding the provider once per process through {@link ServiceLoader}, and a layer's plans
 * cached per geometry. A provider that cannot load, or a plan a provider cannot make, is logged and the layer keeps
 * its own path.
 */
final class NativePasses {
    private static final Logger LOG = LoggerFactory.getLogger(NativePasses.class);

    private NativePasses() {}

    /**
     * The first provider of {@code service} on the class path, or empty (logged at info); a provider that cannot load
     * is logged as a warning and treated as absent.
     *
     * @param name the provider's name, for the log
     * @param what the pass, e.g. {@code convolution forward pass}
     * @param fallback what runs without a provider, e.g. {@code libnd4j's conv2d}
     */
    static <S> Optional<S> load(Class<S> service, Function<S, String> name, String what, String fallback) {
        try {
            for (S p : ServiceLoader.load(service)) {
                LOG.debug("{}: {}", what, name.apply(p));
                return Optional.of(p);
            }
            LOG.info("no native {} on the class path; {} runs", what, fallback);
        } catch (ServiceConfigurationError | LinkageError e) {
            LOG.warn("the native " + what + " cannot load; " + fallback + " runs", e);
        }
        return Optional.empty();
    }

    /**
     * One layer's plans by key (geometry and whatever else selects a plan): at most {@code max}, all dropped when full;
     * a key whose plan the provider declined or failed to make maps to {@code null} and is not asked for again. Not
     * thread-safe, like the layer.
     */
    static final class Plans<K, P> {
        private final Map<K, P> plans = new HashMap<>();
        private final int max;
        private final Function<P, String> describe;

        /** @param describe a plan's description, for the log */
        Plans(int max, Function<P, String> describe) {
            this.max = max;
            this.describe = describe;
        }

        /**
         * The plan for {@code key}, made by {@code make} the first time it is asked for; {@code null} when the provider
         * declines it or fails (a failure is logged once as a warning, naming the pass and what runs instead).
         *
         * @param provider the provider's name, for the log
         * @param what the pass, e.g. {@code the forward pass of convolution}
         * @param fallback what runs instead, e.g. {@code libnd4j's}
         */
        P get(K key, Supplier<Optional<P>> make, String provider, String what, String fallback) {
            if (plans.containsKey(key)) {
                return plans.get(key);
            }
            P plan;
            try {
                plan = make.get().orElse(null);
                if (plan != null) {
                    LOG.debug("{} on {}: {} for {}", what, provider, describe.apply(plan), key);
                }
            } catch (RuntimeException e) {
                LOG.warn("{} cannot run {} {} ({}); {} runs", provider, what, key, e.toString(), fallback);
                plan = null;
            }
            if (plans.size() >= max) {
                plans.clear();
            }
            plans.put(key, plan);
            return plan;
        }
    }
}
