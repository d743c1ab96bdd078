package org.camloss.runtime.train;

/** Training could not go on (e.g. the loss became NaN); the message says why and what to try. */
public final class TrainingFailedException extends RuntimeException {
    public TrainingFailedException(String message) {
        super(message);
    }
}
