package dev.sluice.testkit;

/** A Kafka admin call of the testkit failed or timed out; the cause is Kafka's own exception. */
public final class KafkaOperationException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    KafkaOperationException(Throwable cause) {
        super(cause.getMessage(), cause);
    }
}
