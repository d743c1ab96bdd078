package org.camloss.api;

import java.util.Collection;
import java.util.Locale;
import java.util.Optional;

/**
 * "Did you mean" hints for unknown ids and keys, shared by the registry and config validation.
 *
 * <p>A candidate is a near miss of the input when, compared case-insensitively, their Levenshtein
 * distance is at most 2 or at most a third of the input's length, or one is a prefix (of two or more
 * characters) of the other. A candidate that differs in every character ({@code id} vs {@code lr}) is
 * never suggested. Among near misses the closest wins; ties go to the earliest candidate.
 */
public final class Suggestions {
    private Suggestions() {}

    /** The Levenshtein (insert / delete / substitute) distance between {@code a} and {@code b}. */
    public static int distance(CharSequence a, CharSequence b) {
        int[] prev = new int[b.length() + 1];
        int[] cur = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            prev[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            cur[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                cur[j] = Math.min(Math.min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + cost);
            }
            int[] t = prev;
            prev = cur;
            cur = t;
        }
        return prev[b.length()];
    }

    /** The candidate {@code input} most likely misspells, if any is a near miss (see the class comment). */
    public static Optional<String> closest(String input, Collection<String> candidates) {
        if (input == null || input.isEmpty()) {
            return Optional.empty();
        }
        String in = input.toLowerCase(Locale.ROOT);
        String best = null;
        int bestDistance = Integer.MAX_VALUE;
        for (String candidate : candidates) {
            String c = candidate.toLowerCase(Locale.ROOT);
            int d = distance(in, c);
            if (d < bestDistance && isNearMiss(in, c, d)) {
                best = candidate;
                bestDistance = d;
            }
        }
        return Optional.ofNullable(best);
    }

    /**
     * {@code "did you mean 'x'? "} for the closest near miss, or the empty string; meant to sit between
     * "; " and the list of valid choices.
     */
    public static String didYouMean(String input, Collection<String> candidates) {
        return closest(input, candidates).map(s -> "did you mean '" + s + "'? ").orElse("");
    }

    /**
     * The message for a name that matches nothing, e.g.
     * {@code no optimizer 'sgdd'; did you mean 'sgd'? available: [adam, sgd]}.
     *
     * @param what      what was looked up, e.g. {@code "optimizer"}
     * @param input     the name that matched nothing
     * @param available every valid name, in the order to show them
     */
    public static String unknown(String what, String input, Collection<String> available) {
        if (available.isEmpty()) {
            return "no " + what + " '" + input + "'; there are none";
        }
        return "no " + what + " '" + input + "'; " + didYouMean(input, available) + "available: " + available;
    }

    private static boolean isNearMiss(String in, String c, int d) {
        if (d == 0) {
            return true;
        }
        if (d >= Math.max(in.length(), c.length())) {
            return false;
        }
        if (d <= 2 || d <= in.length() / 3) {
            return true;
        }
        String shorter = in.length() <= c.length() ? in : c;
        String longer = shorter == in ? c : in;
        return shorter.length() >= 2 && longer.startsWith(shorter);
    }
}
