package dev.sluice.executor.impl.workflow;

/**
 * Why a step did not succeed, as a closed set of types: each says whether trying again could help
 * and how the run ends when it does not.
 *
 * <ul>
 *   <li>{@link Retryable}: the target answered 408, 429 or 5xx, or could not be reached; nothing
 *       was written, or it was refused;</li>
 *   <li>{@link UnknownOutcome}: the request was written and no answer came; a retry is a re-send;</li>
 *   <li>{@link Fatal}: trying again cannot help (a 4xx, a refused command, retries spent); the run
 *       is dead-lettered;</li>
 *   <li>{@link Refused}: the target's guard refused the call unsent (its circuit is open, its
 *       budget full); dead-lettered;</li>
 *   <li>{@link NotSent}: the deadline came before anything of the step left; the run expires;</li>
 *   <li>{@link ClaimLost}: the run is not this executor's to send (decided or held elsewhere); it
 *       is recorded as a skipped duplicate.</li>
 * </ul>
 */
public abstract sealed class StepFailure extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private StepFailure(String message, Throwable cause) {
        super(message, cause, false, false);
    }

    /** Whether another attempt could succeed. */
    public boolean retryable() {
        return false;
    }

    /** The delay the target asked for ({@code Retry-After}), or -1. */
    public long retryAfterMillis() {
        return -1;
    }

    /** Whether the target may have acted on the attempt (written, unanswered). */
    public boolean unknownOutcome() {
        return false;
    }

    public static StepFailure retryable(String message, Throwable cause) {
        return new Retryable(message, -1, cause);
    }

    /** The target answered a retryable status, asking for {@code retryAfterMillis} (or -1). */
    public static StepFailure retryable(String message, long retryAfterMillis) {
        return new Retryable(message, retryAfterMillis, null);
    }

    /**
     * The request was written and no answer came (a timeout, a lost connection): the target may
     * have acted on it. Retryable; the retry is a re-send of the same request, with the same
     * {@code webhook-id}.
     */
    public static StepFailure unknownOutcome(String message, Throwable cause) {
        return new UnknownOutcome(message, cause);
    }

    public static StepFailure fatal(String message) {
        return new Fatal(message, null);
    }

    public static StepFailure fatal(String message, Throwable cause) {
        return new Fatal(message, cause);
    }

    /** Refused before anything was sent (the target's circuit is open, its budget full): not retried, dead-lettered. */
    public static StepFailure refused(String message) {
        return new Refused(message);
    }

    /** The deadline came before anything of the step was sent. */
    public static StepFailure notSent(String message) {
        return new NotSent(message);
    }

    /** The run is not this executor's to send. */
    public static StepFailure claimLost(String message) {
        return new ClaimLost(message);
    }

    /** A retryable failure: nothing reached the target, or it answered 408, 429 or 5xx. */
    public static final class Retryable extends StepFailure {
        private static final long serialVersionUID = 1L;
        private final long retryAfterMillis;

        private Retryable(String message, long retryAfterMillis, Throwable cause) {
            super(message, cause);
            this.retryAfterMillis = retryAfterMillis;
        }

        @Override
        public boolean retryable() {
            return true;
        }

        @Override
        public long retryAfterMillis() {
            return retryAfterMillis;
        }
    }

    /** Written, unanswered: retryable as a re-send. */
    public static final class UnknownOutcome extends StepFailure {
        private static final long serialVersionUID = 1L;

        private UnknownOutcome(String message, Throwable cause) {
            super(message, cause);
        }

        @Override
        public boolean retryable() {
            return true;
        }

        @Override
        public boolean unknownOutcome() {
            return true;
        }
    }

    /** Trying again cannot help: the run is dead-lettered. */
    public static final class Fatal extends StepFailure {
        private static final long serialVersionUID = 1L;

        private Fatal(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /** The target's guard refused the call unsent: dead-lettered. */
    public static final class Refused extends StepFailure {
        private static final long serialVersionUID = 1L;

        private Refused(String message) {
            super(message, null);
        }
    }

    /** Nothing of the step left before the deadline: the run expires (or fails, when earlier writes left). */
    public static final class NotSent extends StepFailure {
        private static final long serialVersionUID = 1L;

        private NotSent(String message) {
            super(message, null);
        }
    }

    /** The run is decided or held by another executor: nothing was sent. */
    public static final class ClaimLost extends StepFailure {
        private static final long serialVersionUID = 1L;

        private ClaimLost(String message) {
            super(message, null);
        }
    }
}
