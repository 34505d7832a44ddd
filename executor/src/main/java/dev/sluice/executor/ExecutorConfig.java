package dev.sluice.executor;

import dev.sluice.core.Settings;
import dev.sluice.executor.impl.guard.TargetLimits;
import java.time.Duration;

/**
 * Settings of one executor process; every field has a default (see docs/configuration.md).
 *
 * @param host                    management interface
 * @param managementPort          health and metrics port
 * @param groupId                 the consumer group of this executor deployment
 * @param instances               event loops that run workflows
 * @param maxInFlightPerPartition events started or queued per partition before it is paused
 * @param maxInFlight             events in progress per process before every partition is paused
 * @param commitInterval          how often finished offsets are committed
 * @param maxAttempts             attempts of a retryable step, while the deadline allows
 * @param retryBackoff            first retry delay; doubled per attempt, with jitter
 * @param shutdownTimeout         bound on finishing in-flight runs at SIGTERM
 * @param redisUrl                Redis for run claims, or null to run without claims
 * @param pgUrl                   PostgreSQL for the run log, or null for no run log
 * @param runLogBuffer            run log rows held while PostgreSQL is slow or down
 * @param runLogBatch             rows per insert
 * @param runLogFlush             run log write interval
 * @param runLogRetention         run log rows older than this are deleted
 * @param skipDeadSpans           on assignment, seek past records whose deadline has certainly passed
 * @param workflowsFromPostgres   load workflows from PostgreSQL (hot reload) instead of the catalog file
 * @param httpPool                HTTP/1.1 connections per event loop to each webhook target
 * @param http2Pool               HTTP/2 connections per event loop to each webhook target whose step says {@code "http2": true}
 * @param redisBatchWindow        how long a loop's first run claim waits for others before their batch leaves
 * @param leaseMargin             a run's lease lasts its step's timeout plus this; then another executor may take the run over
 * @param claimTimeout            how long a run claim waits for Redis: then at-least-once runs go ahead unclaimed (counted),
 *                                at-most-once runs ask again until their deadline and then expire
 * @param runLogTimeout           how long one run log write waits for PostgreSQL before its rows are kept for a retry
 * @param readyStall              readiness fails when the consumer has not polled, a committable offset has not been
 *                                committed, the broker has not been heard from, or run log rows have not been written for this long
 * @param targets                 per-target concurrency budgets and circuits
 */
public record ExecutorConfig(
        String host,
        int managementPort,
        String groupId,
        int instances,
        int maxInFlightPerPartition,
        int maxInFlight,
        Duration commitInterval,
        int maxAttempts,
        Duration retryBackoff,
        Duration shutdownTimeout,
        String redisUrl,
        String pgUrl,
        int runLogBuffer,
        int runLogBatch,
        Duration runLogFlush,
        Duration runLogRetention,
        boolean skipDeadSpans,
        boolean workflowsFromPostgres,
        int httpPool,
        int http2Pool,
        Duration redisBatchWindow,
        Duration leaseMargin,
        Duration claimTimeout,
        Duration runLogTimeout,
        Duration readyStall,
        TargetLimits targets) {

    public ExecutorConfig {
        if (httpPool < 1 || http2Pool < 1) {
            throw new dev.sluice.core.ConfigException(
                    "executor.http.pool and executor.http2.pool must be at least 1, got " + httpPool + " and "
                            + http2Pool);
        }
    }

    public static ExecutorConfig from(Settings s) {
        return new ExecutorConfig(
                s.get("executor.host", "0.0.0.0"),
                s.getInt("executor.management.port", 8082),
                s.get("executor.group", "sluice-executor"),
                s.getInt("executor.instances", Runtime.getRuntime().availableProcessors()),
                s.getInt("executor.inflight.partition", 1000),
                s.getInt("executor.inflight.max", 4_000),
                s.getDuration("executor.commit.interval", Duration.ofMillis(500)),
                s.getInt("executor.retry.attempts", 4),
                s.getDuration("executor.retry.backoff", Duration.ofMillis(100)),
                s.getDuration("executor.shutdown.timeout", Duration.ofSeconds(10)),
                s.get("redis.url", null),
                s.get("pg.url", null),
                s.getInt("executor.runlog.buffer", 200_000),
                s.getInt("executor.runlog.batch", 1000),
                s.getDuration("executor.runlog.flush", Duration.ofMillis(200)),
                s.getDuration("executor.runlog.retention", Duration.ofDays(7)),
                s.getBoolean("executor.skip.dead.spans", true),
                workflowSource(s.get("executor.workflows", "file")),
                s.getInt("executor.http.pool", 256),
                s.getInt("executor.http2.pool", 4),
                s.getDuration("executor.redis.batch.window", Duration.ofMillis(1)),
                s.getDuration("executor.lease.margin", Duration.ofSeconds(2)),
                s.getDuration("executor.claim.timeout", Duration.ofMillis(500)),
                s.getDuration("executor.runlog.timeout", Duration.ofSeconds(5)),
                s.getDuration("executor.ready.stall", Duration.ofSeconds(15)),
                TargetLimits.from(s));
    }

    private static boolean workflowSource(String v) {
        return switch (v) {
            case "file" -> false;
            case "postgres" -> true;
            default ->
                throw new dev.sluice.core.ConfigException(
                        "executor.workflows must be file or postgres, got '" + v + "'");
        };
    }

    /** The settings with the state stores' passwords masked, for logs. */
    @Override
    public String toString() {
        return "ExecutorConfig[group=" + groupId + ", instances=" + instances + ", management=" + host + ":"
                + managementPort
                + ", inflight=" + maxInFlightPerPartition + "/partition " + maxInFlight + "/process, commit="
                + commitInterval.toMillis()
                + "ms, attempts=" + maxAttempts + ", backoff=" + retryBackoff.toMillis() + "ms, shutdown="
                + shutdownTimeout.toMillis()
                + "ms, redis=" + (redisUrl == null ? "off" : Settings.redact("url", redisUrl)) + ", pg="
                + (pgUrl == null ? "off" : Settings.redact("url", pgUrl)) + ", runlog=" + runLogBatch + "/"
                + runLogFlush.toMillis()
                + "ms buffer " + runLogBuffer + ", skipDeadSpans=" + skipDeadSpans + ", workflows="
                + (workflowsFromPostgres ? "postgres" : "file") + ", http.pool=" + httpPool + ", http2.pool="
                + http2Pool + ", redis.batch.window="
                + redisBatchWindow.toNanos() / 1000 + "us, lease.margin=" + leaseMargin.toMillis()
                + "ms, claim.timeout=" + claimTimeout.toMillis() + "ms, runlog.timeout="
                + runLogTimeout.toMillis() + "ms, ready.stall=" + readyStall.toMillis() + "ms, " + targets + "]";
    }

    public ExecutorConfig withWorkflowsFromPostgres(boolean on) {
        return copy(host, managementPort, groupId, redisUrl, pgUrl, on);
    }

    public ExecutorConfig withManagement(String host, int port) {
        return copy(host, port, groupId, redisUrl, pgUrl, workflowsFromPostgres);
    }

    public ExecutorConfig withGroup(String group) {
        return copy(host, managementPort, group, redisUrl, pgUrl, workflowsFromPostgres);
    }

    public ExecutorConfig withState(String redis, String pg) {
        return copy(host, managementPort, groupId, redis, pg, workflowsFromPostgres);
    }

    /** These settings with the ones the {@code with*} methods change replaced. */
    private ExecutorConfig copy(
            String host, int managementPort, String groupId, String redisUrl, String pgUrl, boolean fromPostgres) {
        return new ExecutorConfig(
                host,
                managementPort,
                groupId,
                instances,
                maxInFlightPerPartition,
                maxInFlight,
                commitInterval,
                maxAttempts,
                retryBackoff,
                shutdownTimeout,
                redisUrl,
                pgUrl,
                runLogBuffer,
                runLogBatch,
                runLogFlush,
                runLogRetention,
                skipDeadSpans,
                fromPostgres,
                httpPool,
                http2Pool,
                redisBatchWindow,
                leaseMargin,
                claimTimeout,
                runLogTimeout,
                readyStall,
                targets);
    }
}
