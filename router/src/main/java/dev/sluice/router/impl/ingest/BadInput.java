package dev.sluice.router.impl.ingest;

/**
 * The request (or one event of a batch) cannot be accepted as sent. The reason is the problem's
 * machine-readable reason; the message is its detail.
 */
public final class BadInput extends Exception {

    private static final long serialVersionUID = 1L;

    /** What was wrong. */
    public enum Reason {
        MALFORMED_JSON("malformed-json"),
        INVALID_CLOUDEVENT("invalid-cloudevent"),
        SCHEMA_VIOLATION("schema-violation");

        public final String reason;

        Reason(String reason) {
            this.reason = reason;
        }
    }

    private final Reason reason;

    public BadInput(Reason reason, String detail) {
        super(detail, null, false, false);
        this.reason = reason;
    }

    public Reason reason() {
        return reason;
    }
}
