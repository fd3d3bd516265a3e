package dev.counterweight.learner.model;

/**
 * A training step was not applied because its loss or its gradient was not finite: the model keeps
 * the parameters, optimiser state and iteration count it had before the call.
 */
public final class NonFiniteStepException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public NonFiniteStepException(String message) {
        super(message);
    }
}
