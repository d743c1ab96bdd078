package org.camloss.api;

/**
 * A problem with what the user gave camloss: a config, a data file, an image, a model, a run directory, a plugin
 * jar, a command-line argument. The message names the place, the problem and the valid choices; the CLI prints it
 * alone and exits with status 2. Plugins throw it for bad input they find (say a corrupt data file), naming the
 * file.
 */
public class UserException extends CamlossException {
    private static final long serialVersionUID = 1L;

    public UserException(String message) {
        super(message);
    }

    public UserException(String message, Throwable cause) {
        super(message, cause);
    }
}
