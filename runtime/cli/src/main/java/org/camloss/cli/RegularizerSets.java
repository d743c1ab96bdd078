package org.camloss.cli;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.camloss.api.UserException;
import org.camloss.runtime.Comparison;
import org.camloss.runtime.config.ExperimentConfig;
import org.camloss.runtime.config.PluginSpec;
import org.camloss.runtime.registry.PluginKind;
import org.camloss.runtime.registry.PluginRegistry;

/**
 * {@code compare --regularizers SETS}: parsing the sets, the variants they make (every set with cross-entropy and with
 * CAM-loss) and their table.
 *
 * <p>A set is {@code none} or regularizers joined by {@code +}; a regularizer is {@code ID} or
 * {@code ID:param=value[:param=value]}. The config's own regularizer list is replaced by the set; a regularizer the
 * config lists keeps the config's params, which {@code param=value} entries override; the others take their defaults.
 */
final class RegularizerSets {
    private static final String EXAMPLE = "e.g. none,mixup,cutmix,cutmix:cam_target=regional,cutout+dropout";

    private RegularizerSets() {}

    /** One regularizer of a set. */
    record Entry(String id, Map<String, String> params) {}

    /**
     * One set.
     *
     * @param label   as given, e.g. {@code cutmix:cam_target=regional}
     * @param name    for directory and variant names ({@code [A-Za-z0-9._-]}), e.g. {@code cutmix.cam_target.regional}
     * @param entries the regularizers, in order; empty for {@code none}
     */
    record Set(String label, String name, List<Entry> entries) {}

    /**
     * Parses the sets, checking the ids against the registry.
     *
     * @throws UserException naming the set and the problem (exit 2)
     */
    static List<Set> parse(List<String> texts, PluginRegistry registry) {
        List<Set> sets = new ArrayList<>();
        java.util.Set<String> names = new LinkedHashSet<>();
        for (String raw : texts) {
            String text = raw.trim();
            if (text.isEmpty()) {
                throw new UserException("--regularizers: an empty set; give sets like " + EXAMPLE);
            }
            List<Entry> entries = new ArrayList<>();
            if (!text.equals("none")) {
                for (String part : text.split("\\+", -1)) {
                    entries.add(entry(part.trim(), text, registry));
                }
            }
            String name = text.replace('+', '_').replace(':', '.').replace('=', '.');
            if (!name.matches("[A-Za-z0-9._-]+")) {
                throw new UserException("--regularizers: set '" + text + "' has characters other than letters, digits,"
                        + " '.', '_', '-', '+', ':' and '='; " + EXAMPLE);
            }
            if (!names.add(name)) {
                throw new UserException("--regularizers: set '" + text + "' is given twice");
            }
            sets.add(new Set(text, name, entries));
        }
        return sets;
    }

    private static Entry entry(String part, String set, PluginRegistry registry) {
        if (part.isEmpty()) {
            throw new UserException("--regularizers: an empty regularizer in set '" + set
                    + "'; join regularizers with '+', " + EXAMPLE);
        }
        String[] pieces = part.split(":", -1);
        String id = pieces[0].trim();
        if (id.equals("none")) {
            throw new UserException("--regularizers: 'none' cannot be combined with regularizers, in set '" + set
                    + "'; give none as a set of its own");
        }
        if (registry.find(PluginKind.REGULARIZER, id).isEmpty()) {
            throw new UserException(
                    "--regularizers: set '" + set + "': " + registry.unknownIdMessage(PluginKind.REGULARIZER, id));
        }
        Map<String, String> params = new LinkedHashMap<>();
        for (int i = 1; i < pieces.length; i++) {
            int eq = pieces[i].indexOf('=');
            if (eq <= 0) {
                throw new UserException("--regularizers: '" + part + "' in set '" + set + "': expected ID:param=value, "
                        + "e.g. cutmix:cam_target=regional");
            }
            params.put(
                    pieces[i].substring(0, eq).trim(),
                    pieces[i].substring(eq + 1).trim());
        }
        return new Entry(id, params);
    }

    /** The losses each set is trained with: cross-entropy, then the config's CAM-loss (cam-loss if it has none). */
    static List<String> losses(ExperimentConfig base) {
        return CompareCommand.lossVariants(base).stream()
                .map(Comparison.Variant::name)
                .toList();
    }

    /** The variant of a set with a loss. */
    static String variant(Set set, String loss) {
        return set.name() + "-" + loss;
    }

    /** Every set with every loss, set by set, as overrides of {@code base}. */
    static List<Comparison.Variant> variants(List<Set> sets, ExperimentConfig base) {
        List<Comparison.Variant> out = new ArrayList<>();
        for (Set set : sets) {
            List<String> regs = overrides(set, base);
            for (Comparison.Variant loss : CompareCommand.lossVariants(base)) {
                List<String> all = new ArrayList<>(loss.overrides());
                all.addAll(regs);
                out.add(new Comparison.Variant(variant(set, loss.name()), all));
            }
        }
        return out;
    }

    /** The overrides that replace the config's regularizers by the set. */
    private static List<String> overrides(Set set, ExperimentConfig base) {
        List<String> sets = new ArrayList<>();
        sets.add("regularizers=");
        for (int i = 0; i < set.entries().size(); i++) {
            Entry e = set.entries().get(i);
            sets.add("regularizers." + i + ".id=" + e.id());
            for (PluginSpec configured : base.regularizers()) {
                if (configured.id().equals(e.id())) {
                    for (Map.Entry<String, Object> p : configured.params().entrySet()) {
                        if (!e.params().containsKey(p.getKey())) {
                            sets.add("regularizers." + i + ".params." + p.getKey() + "=" + p.getValue());
                        }
                    }
                    break;
                }
            }
            for (Map.Entry<String, String> p : e.params().entrySet()) {
                sets.add("regularizers." + i + ".params." + p.getKey() + "=" + p.getValue());
            }
        }
        return sets;
    }

    /**
     * The table: one row per set, for each loss the final test accuracy and, when the data has masks, the CAAM
     * pointing game, each as mean ± std over the seeds (Markdown).
     */
    static String table(Comparison c, List<Set> sets, List<String> losses) {
        List<String[]> columns = new ArrayList<>();
        columns.add(new String[] {"test_accuracy", "acc"});
        if (c.metrics().contains("test_caam_pointing")) {
            columns.add(new String[] {"test_caam_pointing", "CAAM pointing"});
        }
        StringBuilder sb = new StringBuilder("| regularizers |");
        StringBuilder rule = new StringBuilder("|---|");
        for (String[] m : columns) {
            for (String loss : losses) {
                sb.append(' ').append(loss).append(' ').append(m[1]).append(" |");
                rule.append("---|");
            }
        }
        sb.append('\n').append(rule).append('\n');
        for (Set set : sets) {
            sb.append("| ").append(set.label()).append(" |");
            for (String[] m : columns) {
                for (String loss : losses) {
                    double[] ms = c.meanStd(variant(set, loss), m[0]);
                    sb.append(String.format(Locale.ROOT, " %.4f ± %.4f |", ms[0], ms[1]));
                }
            }
            sb.append('\n');
        }
        return sb.toString();
    }

    /** Writes the table to {@code file}. */
    static void writeTable(Path file, String table) {
        try {
            Files.writeString(file, table, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
    }
}
