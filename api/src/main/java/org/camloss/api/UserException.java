package org.camloss.api;

/**
 * A problem with what the user gave camloss — a config, a data file, a run directory, a command-line
 * argument. The message names the place, the problem and the valid choices; the CLI prints it alone and
 * exits with status 2.
 */
public class UserException extends RuntimeException {
    public UserException(String message) {
        super(message);
    }

    public UserException(String message, Throwable cause) {
        super(message, cause);
    }
}
