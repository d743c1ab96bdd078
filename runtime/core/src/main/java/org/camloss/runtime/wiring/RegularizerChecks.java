package org.camloss.runtime.wiring;

import java.util.ArrayList;
import java.util.List;
import org.camloss.api.Backbone;
import org.camloss.api.BackboneFactory;
import org.camloss.api.InputShape;
import org.camloss.api.NetworkRegularization;
import org.camloss.api.Params;
import org.camloss.api.Regularizer;
import org.camloss.api.TargetEffect;
import org.camloss.runtime.config.ConfigProblem;
import org.camloss.runtime.config.ExperimentConfig;
import org.camloss.runtime.config.PluginSpec;
import org.camloss.runtime.registry.PluginKind;
import org.camloss.runtime.registry.PluginRegistry;

/**
 * The rules between a config's regularizers and the rest of the experiment, checked once every plugin is made and
 * before anything is built or trained (so a {@code compare} refuses every variant before its first run). Each
 * problem names the regularizer's config path, the plugins involved and the valid choices:
 * <ul>
 *   <li>each regularizer accepts the training images ({@link Regularizer#check}, e.g. a cutout patch larger than the
 *       image);</li>
 *   <li>no two regularizers ask for the same part of the network ({@link NetworkRegularization#merge});</li>
 *   <li>the backbone applies every part of the network a regularizer asks for ({@link Backbone#regularizations()}):
 *       stochastic depth or ShakeDrop on a backbone without residual branches is refused, naming both ids and the
 *       backbones that would apply it;</li>
 *   <li>a regularizer that sets per-pixel targets ({@link TargetEffect#REGIONAL}) is the last one that touches the
 *       targets, and is not combined with distillation.</li>
 * </ul>
 */
final class RegularizerChecks {
    private static final String SOURCE = "config";

    private RegularizerChecks() {}

    /** Every problem of the regularizers of {@code config}, made as {@code regs}, with {@code backbone}. */
    static List<ConfigProblem> check(
            PluginRegistry registry,
            ExperimentConfig config,
            Backbone backbone,
            List<Regularizer> regs,
            InputShape shape) {
        List<ConfigProblem> problems = new ArrayList<>();
        List<PluginSpec> specs = config.regularizers();
        String backboneId = config.backbone().id();
        for (int i = 0; i < regs.size(); i++) {
            try {
                regs.get(i).check(shape);
            } catch (IllegalArgumentException e) {
                problems.add(paramProblem(i, specs.get(i), String.valueOf(e.getMessage())));
            }
        }
        network(registry, specs, regs, backbone, backboneId, problems);
        targets(config, specs, regs, problems);
        // in config order: by regularizer index (a stable sort keeps each one's problems in the order found)
        problems.sort(java.util.Comparator.comparingInt(RegularizerChecks::index));
        return problems;
    }

    /** A problem a regularizer reported as "param: message", placed at that parameter when it is declared. */
    private static ConfigProblem paramProblem(int i, PluginSpec spec, String message) {
        int colon = message.indexOf(": ");
        if (colon > 0 && spec.params().containsKey(message.substring(0, colon))) {
            return new ConfigProblem(
                    path(i) + ".params." + message.substring(0, colon), message.substring(colon + 2), SOURCE);
        }
        return new ConfigProblem(path(i) + ".params", message, SOURCE);
    }

    private static void network(
            PluginRegistry registry,
            List<PluginSpec> specs,
            List<Regularizer> regs,
            Backbone backbone,
            String backboneId,
            List<ConfigProblem> problems) {
        int feature = -1;
        int block = -1;
        int residual = -1;
        for (int i = 0; i < regs.size(); i++) {
            NetworkRegularization asked = regs.get(i).network();
            String id = specs.get(i).id();
            if (asked.featureDropout() > 0) {
                feature = claim(feature, i, specs, "sets the dropout before the head", problems);
            }
            if (asked.blockDropout() > 0) {
                block = claim(block, i, specs, "sets the dropout inside residual blocks", problems);
            }
            if (!asked.residual().isNone()) {
                residual = claim(residual, i, specs, "acts on the residual branches", problems);
            }
            for (NetworkRegularization.Kind kind : asked.backboneKinds()) {
                if (!backbone.regularizations().contains(kind)) {
                    String where = kind == NetworkRegularization.Kind.BLOCK_DROPOUT ? ".params.block_p" : ".id";
                    problems.add(new ConfigProblem(
                            path(i) + where,
                            "'" + id + "' " + kind.action() + ", but backbone '" + backboneId
                                    + "' does not apply " + kind.label() + (applied(backbone))
                                    + "; backbones that do: " + supporting(registry, kind),
                            SOURCE));
                }
            }
        }
    }

    /** " (it applies x, y)" or " (it applies none)". */
    private static String applied(Backbone backbone) {
        return backbone.regularizations().isEmpty()
                ? " (it applies none)"
                : " (it applies "
                        + String.join(
                                ", ",
                                backbone.regularizations().stream()
                                        .map(NetworkRegularization.Kind::label)
                                        .sorted()
                                        .toList())
                        + ")";
    }

    /** The first claimant of a part of the network, reporting a second one. */
    private static int claim(int owner, int i, List<PluginSpec> specs, String what, List<ConfigProblem> problems) {
        if (owner < 0) {
            return i;
        }
        problems.add(new ConfigProblem(
                path(i) + ".id",
                "'" + specs.get(i).id() + "' " + what + ", as '"
                        + specs.get(owner).id() + "' (" + path(owner) + ") already does; keep one of them",
                SOURCE));
        return owner;
    }

    /** The backbones that apply {@code kind} with their default params, sorted. */
    private static List<String> supporting(PluginRegistry registry, NetworkRegularization.Kind kind) {
        List<String> ids = new ArrayList<>();
        for (BackboneFactory f : registry.all(PluginKind.BACKBONE)) {
            try {
                if (f.create(Params.defaults(f.params())).regularizations().contains(kind)) {
                    ids.add(f.id());
                }
            } catch (RuntimeException e) {
                // a backbone whose defaults need files or settings this machine lacks: not listed
            }
        }
        return ids.stream().sorted().toList();
    }

    private static void targets(
            ExperimentConfig config, List<PluginSpec> specs, List<Regularizer> regs, List<ConfigProblem> problems) {
        int regional = -1;
        for (int i = 0; i < regs.size(); i++) {
            TargetEffect effect = regs.get(i).targetEffect();
            if (regional >= 0 && effect.touchesTargets()) {
                String id = specs.get(i).id();
                String owner = specs.get(regional).id();
                problems.add(new ConfigProblem(
                        path(i) + ".id",
                        "'" + id + "' changes the targets after '" + owner + "' (" + path(regional)
                                + ") set per-pixel CAM targets (cam_target: regional), which would then be stale; list '"
                                + id + "' before '" + owner + "', or set " + path(regional)
                                + ".params.cam_target: mixed",
                        SOURCE));
            }
            if (effect == TargetEffect.REGIONAL && regional < 0) {
                regional = i;
                if (config.distill().isPresent()) {
                    problems.add(new ConfigProblem(
                            path(i) + ".params.cam_target",
                            "must be 'mixed' with distillation (the distill section): per-pixel targets and the "
                                    + "teacher's signals cannot both ride in the head's labels; valid here: [mixed]",
                            SOURCE));
                }
            }
        }
    }

    /** The regularizer index of a problem's path {@code regularizers.<i>...}. */
    private static int index(ConfigProblem p) {
        String rest = p.path().substring("regularizers.".length());
        int dot = rest.indexOf('.');
        return Integer.parseInt(dot < 0 ? rest : rest.substring(0, dot));
    }

    private static String path(int i) {
        return "regularizers." + i;
    }
}
