package dev.sluice.scaler;

/** A request the scaler cannot answer, with the kind that becomes the gRPC status. */
public final class ScalerException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    /** Why: the caller's metadata is wrong, what it names does not exist, or Kafka did not answer. */
    public enum Kind {
        INVALID_ARGUMENT,
        NOT_FOUND,
        UNAVAILABLE
    }

    private final Kind kind;

    public ScalerException(Kind kind, String message) {
        super(message);
        this.kind = kind;
    }

    public ScalerException(Kind kind, String message, Throwable cause) {
        super(message, cause);
        this.kind = kind;
    }

    public Kind kind() {
        return kind;
    }

    public static ScalerException invalid(String message) {
        return new ScalerException(Kind.INVALID_ARGUMENT, message);
    }
}
