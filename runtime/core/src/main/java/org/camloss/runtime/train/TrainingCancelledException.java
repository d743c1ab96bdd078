package org.camloss.runtime.train;

import org.camloss.api.CamlossException;

/**
 * A run stopped because its thread was interrupted (a host cancelling it, say from a listener); checked between
 * steps, so the run stops at a step boundary and its directory is marked failed with this message.
 */
public final class TrainingCancelledException extends CamlossException {
    private static final long serialVersionUID = 1L;

    public TrainingCancelledException(String message) {
        super(message);
    }
}
