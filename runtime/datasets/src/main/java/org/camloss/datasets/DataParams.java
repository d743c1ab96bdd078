package org.camloss.datasets;

import java.util.ArrayList;
import java.util.List;
import org.camloss.api.ParamProblem;
import org.camloss.api.ParamSpec;
import org.camloss.api.Params;
import org.camloss.api.data.Augmentation;

/** Parameters every file-backed dataset shares: limits, validation split, normalisation, augmentation. */
public final class DataParams {
    private DataParams() {}

    /** The shared parameter declarations. */
    public static List<ParamSpec> common() {
        return List.of(
                ParamSpec.ofInt(
                        "train_limit",
                        0,
                        0,
                        Integer.MAX_VALUE,
                        "Use only the first N training images, in file order (0: all)."),
                ParamSpec.ofInt(
                        "test_limit",
                        0,
                        0,
                        Integer.MAX_VALUE,
                        "Use only the first N test images, in file order (0: all)."),
                ParamSpec.ofInt(
                        "validation",
                        0,
                        0,
                        Integer.MAX_VALUE,
                        "Hold out the last N of the (limited) training images as a validation split (0: none)."),
                ParamSpec.ofString(
                        "mean",
                        "",
                        "Per-channel mean after /255, comma-separated (one value or one per channel); empty: "
                                + "computed from the training images used."),
                ParamSpec.ofString(
                        "std",
                        "",
                        "Per-channel standard deviation after /255, comma-separated; empty: computed from the "
                                + "training images used."),
                ParamSpec.ofInt(
                        "crop_padding",
                        0,
                        0,
                        64,
                        "Training augmentation: pad by this many pixels, then crop back at a random place (0: off)."),
                ParamSpec.ofBoolean("flip", false, "Training augmentation: random horizontal flip."));
    }

    /** {@code own} followed by the shared parameters. */
    public static List<ParamSpec> with(List<ParamSpec> own) {
        List<ParamSpec> all = new ArrayList<>(own);
        all.addAll(common());
        return List.copyOf(all);
    }

    /** The augmentation the params ask for. */
    public static Augmentation augmentation(Params p) {
        return new Augmentation(p.getInt("crop_padding"), p.getBoolean("flip"));
    }

    /**
     * The rules between the shared parameters, checked while the config is validated (before any file is read):
     * {@code mean} and {@code std} are comma-separated finite numbers (std positive), and a validation split
     * leaves training images when {@code train_limit} is set. Whether mean and std give 1 or C values is checked
     * once the images' channel count C is known.
     */
    public static List<ParamProblem> validate(Params p) {
        List<ParamProblem> problems = new ArrayList<>();
        for (String name : List.of("mean", "std")) {
            String raw = p.getString(name).trim();
            if (raw.isEmpty()) {
                continue;
            }
            try {
                channelValues(p, name, raw.split(",").length, name.equals("std"));
            } catch (IllegalArgumentException e) {
                problems.add(new ParamProblem(name, e.getMessage().substring(name.length() + 2)));
            }
        }
        int limit = p.getInt("train_limit");
        if (limit > 0 && p.getInt("validation") >= limit) {
            problems.add(new ParamProblem(
                    "validation",
                    "must be less than train_limit (" + limit + ") so that training images remain, found "
                            + p.getInt("validation")));
        }
        return problems;
    }

    /**
     * Parses a {@code mean}/{@code std} value: empty gives null (compute from data), one value applies to
     * every channel.
     *
     * @throws IllegalArgumentException naming the parameter, the rule and the value
     */
    public static double[] channelValues(Params p, String name, int channels, boolean positive) {
        String raw = p.getString(name).trim();
        if (raw.isEmpty()) {
            return null;
        }
        String[] parts = raw.split(",");
        if (parts.length != 1 && parts.length != channels) {
            throw new IllegalArgumentException(
                    name + ": must give 1 or " + channels + " comma-separated numbers, found '" + raw + "'");
        }
        double[] v = new double[channels];
        for (int c = 0; c < channels; c++) {
            String s = parts[parts.length == 1 ? 0 : c].trim();
            try {
                v[c] = Double.parseDouble(s);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(name + ": '" + s + "' is not a number");
            }
            if (!Double.isFinite(v[c]) || (positive && v[c] <= 0)) {
                throw new IllegalArgumentException(
                        name + ": must be " + (positive ? "positive" : "finite") + ", found " + s);
            }
        }
        return v;
    }
}
