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
 * @param dataSelection {@code data.classes} and {@code data.train_per_class}: which classes and how many training
 *                     images per class
 * @param transfer     {@code init}, {@code freeze} and {@code lr_mult}
 * @param engine       the {@code engine} section ({@code { id: spark, params: {...} }}) when the config names one; empty
 *                     trains in this process
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
        Optional<DistillSpec> distill,
        DataSelection dataSelection,
        TransferSpec transfer,
        Optional<PluginSpec> engine) {

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
        Objects.requireNonNull(dataSelection, "dataSelection");
        Objects.requireNonNull(transfer, "transfer");
        Objects.requireNonNull(engine, "engine");
    }

    /** A config that trains in this process. */
    public ExperimentConfig(
            String name,
            long seed,
            PluginSpec data,
            PluginSpec backbone,
            PluginSpec loss,
            List<PluginSpec> regularizers,
            PluginSpec optimizer,
            PluginSpec schedule,
            TrainSpec train,
            Optional<DistillSpec> distill,
            DataSelection dataSelection,
            TransferSpec transfer) {
        this(
                name,
                seed,
                data,
                backbone,
                loss,
                regularizers,
                optimizer,
                schedule,
                train,
                distill,
                dataSelection,
                transfer,
                Optional.empty());
    }

    /** A config with every class of its data and no transfer. */
    public ExperimentConfig(
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
        this(
                name,
                seed,
                data,
                backbone,
                loss,
                regularizers,
                optimizer,
                schedule,
                train,
                distill,
                DataSelection.all(),
                TransferSpec.none());
    }

    /** {@code data.classes}: the labels of the classes used, in their new order; empty for every class. */
    public List<String> dataClasses() {
        return dataSelection.classes();
    }

    /**
     * This config without its {@code init} section (a resumed or evaluated run has its parameters already; the source
     * need not be read again, nor exist).
     */
    public ExperimentConfig withoutInit() {
        return new ExperimentConfig(
                name,
                seed,
                data,
                backbone,
                loss,
                regularizers,
                optimizer,
                schedule,
                train,
                distill,
                dataSelection,
                new TransferSpec(Optional.empty(), transfer.freeze(), transfer.lrMult()),
                engine);
    }

    /** This config without its {@code distill} section. */
    public ExperimentConfig withoutDistillation() {
        return new ExperimentConfig(
                name,
                seed,
                data,
                backbone,
                loss,
                regularizers,
                optimizer,
                schedule,
                train,
                Optional.empty(),
                dataSelection,
                transfer,
                engine);
    }

    /**
     * The whole config in config layout (nested {@link LinkedHashMap}s and lists, sections in the order
     * name, seed, data, backbone, loss, regularizers, optimizer, schedule, train, distill, init, freeze, lr_mult, engine),
     * every default filled in; {@code distill}, {@code init} and {@code engine} only when present. The maps are fresh, mutable
     * copies.
     */
    public Map<String, Object> toMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("name", name);
        m.put("seed", seed);
        Map<String, Object> dataNode = data.toMap();
        if (!dataSelection.classes().isEmpty()) {
            dataNode.put("classes", new ArrayList<>(dataSelection.classes()));
        }
        if (dataSelection.trainPerClass() > 0) {
            dataNode.put("train_per_class", dataSelection.trainPerClass());
        }
        m.put("data", dataNode);
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
        transfer.putInto(m);
        engine.ifPresent(e -> m.put("engine", e.toMap()));
        return m;
    }
}
