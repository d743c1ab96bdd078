package org.camloss.runtime;

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
import java.util.Set;
import org.camloss.runtime.run.Json;

/**
 * The outcome of training several variants of one recipe over several seeds: every run's final metrics,
 * and mean ± standard deviation (sample, n − 1) of every numeric metric per variant.
 *
 * @param variants variant names in order
 * @param rows     one row per run: {@code variant}, {@code seed}, {@code run_dir}, then the final metrics
 */
public record Comparison(List<String> variants, List<Map<String, Object>> rows) {

    /**
     * A variant: a name and the {@code --set} overrides that make it from the base config.
     *
     * @param name      short name, used in directory names
     * @param overrides {@code path=value} overrides
     */
    public record Variant(String name, List<String> overrides) {}

    /** Key of the per-epoch test accuracies in each row. */
    public static final String CURVE = "test_accuracy_per_epoch";
    /** Key of the first epoch reaching 95 % of the run's final test accuracy. */
    public static final String EPOCH_TO_95 = "epoch_to_95";

    /** The first (one-based) epoch whose accuracy reaches 95 % of the last epoch's; 0 for an empty curve. */
    public static int epochTo95(List<Double> accuracy) {
        if (accuracy.isEmpty()) {
            return 0;
        }
        double target = 0.95 * accuracy.get(accuracy.size() - 1);
        for (int i = 0; i < accuracy.size(); i++) {
            if (accuracy.get(i) >= target) {
                return i + 1;
            }
        }
        return accuracy.size();
    }

    /** Mean test accuracy per epoch over the seeds of {@code variant}. */
    public List<Double> meanCurve(String variant) {
        List<double[]> sums = new ArrayList<>();
        for (Map<String, Object> r : rows) {
            if (!variant.equals(r.get("variant")) || !(r.get(CURVE) instanceof List<?> curve)) {
                continue;
            }
            for (int i = 0; i < curve.size(); i++) {
                if (sums.size() <= i) {
                    sums.add(new double[2]);
                }
                sums.get(i)[0] += ((Number) curve.get(i)).doubleValue();
                sums.get(i)[1] += 1;
            }
        }
        List<Double> out = new ArrayList<>();
        for (double[] s : sums) {
            out.add(s[0] / s[1]);
        }
        return out;
    }

    /** Numeric metric names, in first-seen order. */
    public List<String> metrics() {
        Set<String> keys = new LinkedHashSet<>();
        for (Map<String, Object> r : rows) {
            r.forEach((k, v) -> {
                if (v instanceof Number && !k.equals("seed") && !k.equals("epoch")) {
                    keys.add(k);
                }
            });
        }
        return List.copyOf(keys);
    }

    /** Mean and sample standard deviation of {@code metric} over the seeds of {@code variant}. */
    public double[] meanStd(String variant, String metric) {
        List<Double> v = new ArrayList<>();
        for (Map<String, Object> r : rows) {
            if (variant.equals(r.get("variant")) && r.get(metric) instanceof Number n) {
                v.add(n.doubleValue());
            }
        }
        if (v.isEmpty()) {
            return new double[] {Double.NaN, Double.NaN};
        }
        double mean = v.stream().mapToDouble(Double::doubleValue).average().orElse(Double.NaN);
        double ss = 0;
        for (double x : v) {
            ss += (x - mean) * (x - mean);
        }
        return new double[] {mean, v.size() > 1 ? Math.sqrt(ss / (v.size() - 1)) : 0.0};
    }

    /** The summary as JSON-ready maps: per variant, per metric, {mean, std, n}. */
    public Map<String, Object> summary() {
        Map<String, Object> out = new LinkedHashMap<>();
        for (String variant : variants) {
            Map<String, Object> m = new LinkedHashMap<>();
            for (String metric : metrics()) {
                double[] ms = meanStd(variant, metric);
                m.put(metric, Map.of("mean", ms[0], "std", ms[1]));
            }
            out.put(variant, m);
        }
        return out;
    }

    /** Writes {@code compare.json} and {@code compare.csv} into {@code dir}. */
    public void write(Path dir) {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("variants", variants);
        json.put("summary", summary());
        json.put("runs", rows);
        Json.write(dir.resolve("compare.json"), json);
        List<String> cols = new ArrayList<>(List.of("variant", "seed", "run_dir"));
        cols.addAll(metrics());
        StringBuilder csv = new StringBuilder(String.join(",", cols)).append('\n');
        for (Map<String, Object> r : rows) {
            List<String> cells = new ArrayList<>();
            for (String c : cols) {
                Object v = r.get(c);
                cells.add(v == null ? "" : v.toString().replace(",", ";"));
            }
            csv.append(String.join(",", cells)).append('\n');
        }
        try {
            Path tmp = dir.resolve(".compare.csv.tmp");
            Files.writeString(tmp, csv, StandardCharsets.UTF_8);
            Json.moveAtomically(tmp, dir.resolve("compare.csv"));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + dir.resolve("compare.csv"), e);
        }
    }

    /** A plain-text table: one line per metric with mean ± std per variant. */
    public String table() {
        StringBuilder sb = new StringBuilder(String.format(Locale.ROOT, "%-22s", "metric"));
        for (String v : variants) {
            sb.append(String.format(Locale.ROOT, "%26s", v));
        }
        sb.append('\n');
        for (String metric : metrics()) {
            sb.append(String.format(Locale.ROOT, "%-22s", metric));
            for (String v : variants) {
                double[] ms = meanStd(v, metric);
                sb.append(String.format(Locale.ROOT, "%26s", String.format(Locale.ROOT, "%.4f ± %.4f", ms[0], ms[1])));
            }
            sb.append('\n');
        }
        return sb.toString();
    }
}
