package dev.sluice.executor.impl;

import dev.sluice.executor.ExecutorConfig;
import dev.sluice.executor.impl.guard.TargetGuards;
import dev.sluice.executor.impl.kafka.AccountingProducer;
import dev.sluice.executor.impl.state.RunClaims;
import dev.sluice.executor.impl.state.RunLog;
import dev.sluice.executor.impl.workflow.RunTracing;
import dev.sluice.executor.impl.workflow.WorkflowTable;
import io.vertx.redis.client.RedisAPI;
import java.util.Optional;

/**
 * What every event loop of an executor process shares.
 *
 * @param claims run claims ({@link RunClaims#none()} without Redis)
 * @param runLog the run log ({@link RunLog#off()} without PostgreSQL)
 * @param redis  Redis for {@code redis} steps, when configured
 * @param targets the circuit and budget of each webhook target, shared by the process's event loops
 * @param tracing the spans of runs and steps ({@link RunTracing#off()} unless {@code otel.enabled})
 */
public record ExecutorServices(
        ExecutorConfig config,
        WorkflowTable workflows,
        AccountingProducer accounting,
        ExecutorMetrics metrics,
        RunClaims claims,
        RunLog runLog,
        Optional<RedisAPI> redis,
        TargetGuards targets,
        RunTracing tracing) {}
