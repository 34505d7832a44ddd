package dev.sluice.executor.impl.trigger;

import io.vertx.core.VertxException;
import io.vertx.pgclient.PgException;
import org.apache.kafka.common.KafkaException;

/**
 * Tells the failures a trigger expects (PostgreSQL, Kafka, Redis or the polled API did not answer,
 * or answered with an error) from those it does not: a runtime exception of any other type is a bug
 * or a case no code handles, and is logged with its stack trace and counted apart.
 */
final class TriggerFailures {

    private TriggerFailures() {}

    static boolean unexpected(Throwable e) {
        if (e instanceof Error) {
            return true;
        }
        // Checked exceptions (I/O, timeouts) and Redis's error replies are not runtime exceptions: they are the outside
        // world.
        return e instanceof RuntimeException
                && !(e instanceof VertxException
                        || e instanceof PgException
                        || e instanceof KafkaException
                        || e instanceof PollFetch.Failed);
    }
}
