package org.camloss.runtime.config;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * A fully resolved, validated experiment: every section present and every default filled in.
 *
 * <p>Made by {@link ConfigLoader}; {@link #toMap()} gives it back in config layout, and loading that map
 * (or its YAML / JSON, see {@link ConfigWriter}) gives an equal config.
 *
 * @param name         run name, {@code [A-Za-z0-9._-]+}; it names the run directory
 * @param seed         RNG seed
 * @param data         dataset plugin
 * @param backbone     backbone plugin
 * @param loss         loss plugin
 * @param regularizers regularizer plugins, possibly none
 * @param optimizer    built-in optimizer ({@link org.camloss.runtime.optim.Builtins#optimizers()})
 * @param schedule     built-in learning-rate schedule ({@link org.camloss.runtime.optim.Builtins#schedules()})
 * @param train        epochs, batch size, threads, progress
 * @param distill      the distillation section, when the config has one
 */
public record ExperimentConfig(
        String name,
        long seed,
        PluginSpec data,
        PluginSpec backbone,
        PluginSpec loss,
        List<PluginSpec> regularizers,
        PluginSpec optimizer,
        PluginSpec schedule,
        TrainSpec train,
        Optional<DistillSpec> distill) {

    public ExperimentConfig {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(data, "data");
        Objects.requireNonNull(backbone, "backbone");
        Objects.requireNonNull(loss, "loss");
        regularizers = List.copyOf(regularizers);
        Objects.requireNonNull(optimizer, "optimizer");
        Objects.requireNonNull(schedule, "schedule");
        Objects.requireNonNull(train, "train");
        Objects.requireNonNull(distill, "distill");
    }

    /**
     * The whole config in config layout (nested {@link LinkedHashMap}s and lists, sections in the order
     * name, seed, data, backbone, loss, regularizers, optimizer, schedule, train, distill), every default
     * filled in; {@code distill} only when present. The maps are fresh, mutable copies.
     */
    public Map<String, Object> toMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("name", name);
        m.put("seed", seed);
        m.put("data", data.toMap());
        m.put("backbone", backbone.toMap());
        m.put("loss", loss.toMap());
        List<Object> regs = new ArrayList<>();
        for (PluginSpec r : regularizers) {
            regs.add(r.toMap());
        }
        m.put("regularizers", regs);
        m.put("optimizer", optimizer.toMap());
        m.put("schedule", schedule.toMap());
        m.put("train", train.toMap());
        distill.ifPresent(d -> m.put("distill", d.toMap()));
        return m;
    }
}
