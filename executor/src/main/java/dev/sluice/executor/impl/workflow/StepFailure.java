package dev.sluice.executor.impl.workflow;

/** Why a step failed, and whether trying again could help. */
public final class StepFailure extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final boolean retryable;
    private final long retryAfterMillis;
    private final boolean unknownOutcome;

    public StepFailure(String message, boolean retryable, long retryAfterMillis, Throwable cause) {
        this(message, retryable, retryAfterMillis, cause, false);
    }

    private StepFailure(String message, boolean retryable, long retryAfterMillis, Throwable cause, boolean unknownOutcome) {
        super(message, cause, false, false);
        this.retryable = retryable;
        this.retryAfterMillis = retryAfterMillis;
        this.unknownOutcome = unknownOutcome;
    }

    /**
     * The request was written and no answer came (a timeout, a lost connection): the target may
     * have acted on it. Retryable; the retry is a re-send of the same request, with the same
     * {@code webhook-id}.
     */
    public static StepFailure unknownOutcome(String message, Throwable cause) {
        return new StepFailure(message, true, -1, cause, true);
    }

    public boolean unknownOutcome() {
        return unknownOutcome;
    }

    public static StepFailure retryable(String message, Throwable cause) {
        return new StepFailure(message, true, -1, cause);
    }

    /** Refused before anything was sent (the target's circuit is open, its budget full): not retried, dead-lettered. */
    public static StepFailure refused(String message) {
        return new StepFailure(message, false, -1, null);
    }

    public static StepFailure fatal(String message) {
        return new StepFailure(message, false, -1, null);
    }

    public boolean retryable() {
        return retryable;
    }

    /** The delay the target asked for ({@code Retry-After}), or -1. */
    public long retryAfterMillis() {
        return retryAfterMillis;
    }
}
