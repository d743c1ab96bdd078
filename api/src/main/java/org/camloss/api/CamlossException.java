package org.camloss.api;

/**
 * The root of every exception camloss throws on purpose, so a host catches one type: {@link UserException} (and its
 * subclasses) for bad input the user can fix, and the runtime's failed or cancelled runs. Anything else escaping
 * camloss is a bug.
 */
public class CamlossException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public CamlossException(String message) {
        super(message);
    }

    public CamlossException(String message, Throwable cause) {
        super(message, cause);
    }
}
