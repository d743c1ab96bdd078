package org.camloss.runtime.config;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.camloss.api.ParamSpec;

/**
 * The optimizers and learning-rate schedules the runtime has built in. They are not plugins, but configs
 * name them the same way ({@code optimizer: { id: sgd, params: { lr: 0.1 } }}) and their parameters are
 * declared and validated exactly like plugin parameters.
 *
 * <p>A few bounds are open ({@code lr} in (0, 10], {@code momentum} in [0, 1)). {@link ParamSpec} only
 * states closed bounds, so those parameters declare the closed range, {@link ConfigLoader} checks the open
 * end as well, and {@link #range(String, ParamSpec)} states the range with its open ends.
 */
public final class BuiltinComponents {
    private static final Map<String, Component> OPTIMIZERS = index(List.of(
            new Component("sgd", "Stochastic gradient descent with momentum and coupled L2 weight decay.", List.of(
                    ParamSpec.ofDouble("lr", 0.1, 0, 10, "learning rate, in (0, 10]"),
                    ParamSpec.ofDouble("momentum", 0.9, 0, 1, "momentum factor, in [0, 1); 0 turns momentum off"),
                    ParamSpec.ofBoolean("nesterov", false, "use Nesterov momentum"),
                    ParamSpec.ofDouble("weight_decay", 5e-4, 0, 1, "coupled L2 on every parameter")),
                    List.of(new OpenBound("lr", true, false), new OpenBound("momentum", false, true))),
            new Component("adam", "Adam with coupled L2 weight decay.", List.of(
                    ParamSpec.ofDouble("lr", 1e-3, 0, 10, "learning rate, in (0, 10]"),
                    ParamSpec.ofDouble("beta1", 0.9, 0, 1, "decay of the first-moment estimate, in [0, 1)"),
                    ParamSpec.ofDouble("beta2", 0.999, 0, 1, "decay of the second-moment estimate, in [0, 1)"),
                    ParamSpec.ofDouble("eps", 1e-8, 0, 1, "added to the denominator for stability, in (0, 1]"),
                    ParamSpec.ofDouble("weight_decay", 0, 0, 1, "coupled L2 on every parameter")),
                    List.of(new OpenBound("lr", true, false), new OpenBound("beta1", false, true),
                            new OpenBound("beta2", false, true), new OpenBound("eps", true, false)))));

    private static final Map<String, Component> SCHEDULES = index(List.of(
            new Component("constant", "Keeps the optimizer's learning rate for every epoch.", List.of(), List.of()),
            new Component("cosine", "Linear warmup from 0, then cosine decay from the optimizer's lr to final_lr "
                    + "at the last epoch.", List.of(
                    ParamSpec.ofDouble("final_lr", 0, 0, 10, "learning rate at the end of the last epoch"),
                    ParamSpec.ofInt("warmup_epochs", 0, 0, 100000,
                            "epochs of linear warmup; must be less than train.epochs")),
                    List.of()),
            new Component("step", "Multiplies the learning rate by gamma every step_epochs epochs.", List.of(
                    ParamSpec.ofInt("step_epochs", 30, 1, 100000, "epochs between decays"),
                    ParamSpec.ofDouble("gamma", 0.1, 0, 1, "decay factor, in (0, 1]")),
                    List.of(new OpenBound("gamma", true, false)))));

    private BuiltinComponents() {
    }

    /** Optimizer id to declared parameters: {@code sgd}, {@code adam}. */
    public static Map<String, List<ParamSpec>> optimizers() {
        return paramsOf(OPTIMIZERS);
    }

    /** Schedule id to declared parameters: {@code constant}, {@code cosine}, {@code step}. */
    public static Map<String, List<ParamSpec>> schedules() {
        return paramsOf(SCHEDULES);
    }

    /** Optimizer id to a one-sentence description. */
    public static Map<String, String> optimizerDescriptions() {
        return descriptionsOf(OPTIMIZERS);
    }

    /** Schedule id to a one-sentence description. */
    public static Map<String, String> scheduleDescriptions() {
        return descriptionsOf(SCHEDULES);
    }

    /**
     * The allowed values of {@code param} of built-in component {@code id} in words, like
     * {@link ParamSpec#range()} but with open ends where the component has them: {@code (0, 10]} for
     * {@code sgd}'s {@code lr}.
     */
    public static String range(String id, ParamSpec param) {
        Component c = component(id);
        String closed = param.range();
        if (c == null) {
            return closed;
        }
        for (OpenBound b : c.openBounds) {
            if (b.param.equals(param.name()) && closed.startsWith("[") && closed.endsWith("]")) {
                return (b.lowerOpen ? "(" : "[") + closed.substring(1, closed.length() - 1) + (b.upperOpen ? ")" : "]");
            }
        }
        return closed;
    }

    /**
     * Problems with the open ends of ranges, which {@link ParamSpec#check} (closed bounds only) lets
     * through: parameter name to a message in its style, e.g. {@code lr} to {@code must be in (0, 10], found 0}.
     *
     * @param raw      the configured values (shown in messages)
     * @param resolved the values after {@link ParamSpec#check}
     */
    static Map<String, String> openBoundProblems(String id, Map<String, ?> raw, Map<String, Object> resolved) {
        Component c = component(id);
        Map<String, String> problems = new LinkedHashMap<>();
        if (c == null) {
            return problems;
        }
        for (OpenBound b : c.openBounds) {
            if (!(resolved.get(b.param) instanceof Number n) || !raw.containsKey(b.param)) {
                continue;
            }
            ParamSpec spec = c.params.stream().filter(p -> p.name().equals(b.param)).findFirst().orElseThrow();
            double v = n.doubleValue();
            if ((b.lowerOpen && v <= spec.min()) || (b.upperOpen && v >= spec.max())) {
                Object shown = raw.get(b.param);
                problems.put(b.param, "must be in " + range(id, spec) + ", found "
                        + (shown instanceof String s ? "'" + s + "'" : shown));
            }
        }
        return problems;
    }

    private static Component component(String id) {
        return OPTIMIZERS.containsKey(id) ? OPTIMIZERS.get(id) : SCHEDULES.get(id);
    }

    private static Map<String, Component> index(List<Component> components) {
        Map<String, Component> m = new LinkedHashMap<>();
        for (Component c : components) {
            m.put(c.id, c);
        }
        return Collections.unmodifiableMap(m);
    }

    private static Map<String, List<ParamSpec>> paramsOf(Map<String, Component> components) {
        Map<String, List<ParamSpec>> m = new LinkedHashMap<>();
        components.forEach((id, c) -> m.put(id, c.params));
        return Collections.unmodifiableMap(m);
    }

    private static Map<String, String> descriptionsOf(Map<String, Component> components) {
        Map<String, String> m = new LinkedHashMap<>();
        components.forEach((id, c) -> m.put(id, c.description));
        return Collections.unmodifiableMap(m);
    }

    private record Component(String id, String description, List<ParamSpec> params, List<OpenBound> openBounds) {
    }

    private record OpenBound(String param, boolean lowerOpen, boolean upperOpen) {
    }
}
