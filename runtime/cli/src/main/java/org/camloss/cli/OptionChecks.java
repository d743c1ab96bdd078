package org.camloss.cli;

import java.nio.file.Path;
import java.util.List;
import org.camloss.api.UserException;
import picocli.CommandLine.Model.CommandSpec;

/**
 * Checks of command-line values that picocli does not make: empty values, and options given where they would have
 * no effect. Each failure is a {@link UserException} naming the option, the problem and what to do instead (exit 2,
 * one line).
 */
final class OptionChecks {
    private OptionChecks() {}

    /** Whether the user gave {@code option} on the command line (not just its default). */
    static boolean given(CommandSpec spec, String option) {
        return spec.commandLine().getParseResult().hasMatchedOption(option);
    }

    /**
     * Refuses each of {@code options} the user gave while {@code applies} is false: it would be silently ignored.
     *
     * @param needs when the option has an effect, e.g. {@code "only with --faithfulness"}
     * @param fix     what to add instead, e.g. {@code "add --faithfulness"}; the message ends with
     *     {@code "; <fix> or drop OPTION"}
     */
    static void onlyWhen(CommandSpec spec, boolean applies, String needs, String fix, String... options) {
        if (applies) {
            return;
        }
        for (String option : options) {
            if (given(spec, option)) {
                throw new UserException(option + ": " + needs + "; " + fix + " or drop " + option);
            }
        }
    }

    /**
     * Refuses each of the faithfulness measurement's {@code options} that the user gave without {@code
     * --faithfulness} (eval and compare).
     */
    static void onlyWithFaithfulness(CommandSpec spec, boolean faithfulness, String... options) {
        onlyWhen(
                spec,
                faithfulness,
                "only with --faithfulness (it sets the faithfulness measurement, which runs only then)",
                "add --faithfulness",
                options);
    }

    /** Refuses a {@code --method} list with an empty entry; {@code fallback} names what dropping it gives. */
    static void methodIds(CommandSpec spec, List<String> methods, String fallback) {
        noBlankEntries(
                spec,
                methods,
                "--method",
                "give CAM method ids, e.g. --method cam,grad-cam, or drop --method for " + fallback);
    }

    /** Refuses an empty (or blank) value of an option the user gave. */
    static void notBlank(String value, String option, String hint) {
        if (value != null && value.isBlank()) {
            throw new UserException(option + ": empty; " + hint);
        }
    }

    /** Refuses an empty path ({@code ""} on the command line), which would mean the current directory. */
    static void notBlank(Path value, String name, String hint) {
        if (value != null && value.toString().isBlank()) {
            throw new UserException(name + ": an empty path; " + hint);
        }
    }

    /** Refuses a list option the user gave with no value, or with an empty entry (e.g. {@code --method ""}). */
    static void noBlankEntries(CommandSpec spec, List<String> values, String option, String hint) {
        if (given(spec, option) && (values.isEmpty() || values.stream().anyMatch(String::isBlank))) {
            throw new UserException(option + ": an empty entry in "
                    + values.stream().map(v -> "'" + v + "'").toList() + "; " + hint);
        }
    }
}
