package dev.sluice.core;

/** Metric names (Micrometer form; Prometheus renders {@code sluice.router.events} as {@code sluice_router_events_total}). */
public final class MetricNames {

    /** Events handled by the router, tags {@code route}, {@code outcome}. */
    public static final String ROUTER_EVENTS = "sluice.router.events";
    /** Payload bytes accepted by the router, tag {@code route}. */
    public static final String ROUTER_BYTES = "sluice.router.bytes";
    /** Time from the last request byte to the broker's ack, tag {@code route}. */
    public static final String ROUTER_PRODUCE_LATENCY = "sluice.router.produce.latency";
    /** Records sent to Kafka and not yet acknowledged. */
    public static final String ROUTER_IN_FLIGHT = "sluice.router.inflight";
    /** MQTT connections refused at CONNECT (or at the TLS handshake before it), tag {@code reason}. */
    public static final String ROUTER_MQTT_CONNECT_REFUSED = "sluice.router.mqtt.connect.refused";
    /** Workflow runs, tags {@code workflow}, {@code outcome}. */
    public static final String EXECUTOR_RUNS = "sluice.executor.runs";
    /** Events that expired before they could start, tag {@code topic}. */
    public static final String EXECUTOR_EXPIRED = "sluice.executor.expired";
    /** Events in progress in this executor process. */
    public static final String EXECUTOR_IN_FLIGHT = "sluice.executor.inflight";
    /** Runs of a workflow started and not yet decided, per workflow. */
    public static final String EXECUTOR_WORKFLOW_IN_FLIGHT = "sluice.executor.workflow.inflight";
    /** Ingest to the start of a workflow's run, per workflow (a few fixed buckets, to keep the series per workflow few). */
    public static final String EXECUTOR_WORKFLOW_START = "sluice.executor.workflow.start";
    /** Ingest → execution start. */
    /** Executor: ingest to the consumer poll that returned the record. */
    public static final String EXECUTOR_POLL_AGE = "sluice.executor.poll.age";
    /** Executor: the poll to the event's turn (hand-off plus the wait behind its key). */
    public static final String EXECUTOR_START_WAIT = "sluice.executor.start.wait";

    public static final String EVENT_LATENCY = "sluice.event.latency";
    /** Ingest → run end. */
    public static final String EVENT_END_LATENCY = "sluice.event.end.latency";

    public static final String TAG_ROUTE = "route";
    public static final String TAG_OUTCOME = "outcome";
    public static final String TAG_WORKFLOW = "workflow";
    public static final String TAG_TOPIC = "topic";
    public static final String TAG_REASON = "reason";

    private MetricNames() {}
}
