package org.camloss.runtime.train;

import org.camloss.api.CamlossException;

/**
 * A run that could not go on: the loss became NaN or infinite, or a plugin failed during a step (the cause is that
 * failure). The message says where and what to try. The CLI exits with status 1.
 */
public final class TrainingFailedException extends CamlossException {
    private static final long serialVersionUID = 1L;

    public TrainingFailedException(String message) {
        super(message);
    }

    public TrainingFailedException(String message, Throwable cause) {
        super(message, cause);
    }
}
