package dev.sluice.scaler.impl;

/** The scaler's metric names (Micrometer form: {@code sluice.scaler.live.backlog} → {@code sluice_scaler_live_backlog}). */
public final class ScalerMetrics {

    public static final String LIVE_BACKLOG = "sluice.scaler.live.backlog";
    public static final String EXPIRED_BACKLOG = "sluice.scaler.expired.backlog";
    public static final String AT_RISK = "sluice.scaler.at.risk";
    public static final String ARRIVAL_RATE = "sluice.scaler.arrival.rate";
    public static final String DRAIN_RATE = "sluice.scaler.drain.rate";
    public static final String DRAIN_RATE_PER_REPLICA = "sluice.scaler.drain.rate.per.replica";
    public static final String REQUIRED_RATE = "sluice.scaler.required.rate";
    public static final String DESIRED_REPLICAS = "sluice.scaler.desired.replicas";
    /** gRPC calls, tags {@code method}, {@code outcome} ({@code ok} or the gRPC status). */
    public static final String REQUESTS = "sluice.scaler.requests";
    /** Open StreamIsActive streams. */
    public static final String STREAMS = "sluice.scaler.streams";
    /** Answered log-end offset reads of the activation poller, tag {@code topic}: it runs while a stream listens to the topic. */
    public static final String ACTIVATION_POLLS = "sluice.scaler.activation.polls";

    private ScalerMetrics() {}
}
