package org.camloss.cli;

import java.io.PrintStream;

/** Console helpers shared by the commands. */
final class Console {
    private Console() {}

    /** A reporter on stderr; a live bar when stderr is a terminal and {@code progress} is on. */
    static ConsoleReporter reporter(String label, boolean progress) {
        PrintStream err = System.err;
        return new ConsoleReporter(err, progress && System.console() != null, label);
    }
}
