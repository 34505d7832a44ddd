package dev.sluice.core.trigger;

/**
 * What starts a workflow besides inbound events: a {@link Schedule} (cron) or a {@link Poll} (an
 * API read every few seconds). Each firing becomes an event on the route named by {@link #source()},
 * so it flows through Kafka and the executors like any ingested event.
 */
public sealed interface Trigger permits Schedule, Poll {

    /** The route (source) whose topic the trigger's events go to; one of the workflow's sources. */
    String source();

    /** The trigger's name in the lease table and in metrics: {@code schedule/<workflow>} or {@code poll/<workflow>}. */
    String name(String workflow);
}
