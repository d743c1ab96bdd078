package org.camloss.api;

import java.util.Locale;

/**
 * The allowed values of a numeric parameter: an interval whose ends are each open or closed, written as in
 * mathematics: {@code [0, 1]}, {@code (0, 10]}, {@code [0, 1)}.
 *
 * @param lower      the lower end
 * @param lowerOpen  whether {@code lower} itself is excluded
 * @param upper      the upper end
 * @param upperOpen  whether {@code upper} itself is excluded
 */
public record Range(double lower, boolean lowerOpen, double upper, boolean upperOpen) {
    public Range {
        if (Double.isNaN(lower) || Double.isNaN(upper) || lower > upper) {
            throw new IllegalArgumentException("a range needs lower <= upper, found " + lower + " and " + upper);
        }
    }

    /** {@code [lower, upper]}. */
    public static Range closed(double lower, double upper) {
        return new Range(lower, false, upper, false);
    }

    /** {@code (lower, upper]}: for example a learning rate, {@code (0, 10]}. */
    public static Range openClosed(double lower, double upper) {
        return new Range(lower, true, upper, false);
    }

    /** {@code [lower, upper)}: for example a momentum or a dropout probability, {@code [0, 1)}. */
    public static Range closedOpen(double lower, double upper) {
        return new Range(lower, false, upper, true);
    }

    /** {@code (lower, upper)}. */
    public static Range open(double lower, double upper) {
        return new Range(lower, true, upper, true);
    }

    /** Whether {@code value} lies in the range (false for NaN). */
    public boolean contains(double value) {
        boolean aboveLower = lowerOpen ? value > lower : value >= lower;
        boolean belowUpper = upperOpen ? value < upper : value <= upper;
        return aboveLower && belowUpper;
    }

    /** The range in interval notation, e.g. {@code (0, 10]}; whole numbers without a decimal point. */
    @Override
    public String toString() {
        return (lowerOpen ? "(" : "[") + format(lower) + ", " + format(upper) + (upperOpen ? ")" : "]");
    }

    private static String format(double d) {
        if (d == Math.rint(d) && Math.abs(d) < 1e15) {
            return Long.toString((long) d);
        }
        return String.format(Locale.ROOT, "%s", d);
    }
}
