package dev.sluice.executor.impl;

import dev.sluice.executor.ExecutorConfig;
import dev.sluice.executor.impl.kafka.AccountingProducer;
import dev.sluice.executor.impl.state.RunClaims;
import dev.sluice.executor.impl.state.RunLog;
import dev.sluice.executor.impl.workflow.EventRunner;
import dev.sluice.executor.impl.workflow.HttpStepRunner;
import dev.sluice.executor.impl.workflow.WorkflowTable;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.PoolOptions;
import io.vertx.redis.client.RedisAPI;

/** One event loop's share of the executor: the runner and HTTP client its partitions use. */
public final class ExecutorVerticle extends VerticleBase {

    private final WorkflowTable workflows;
    private final AccountingProducer accounting;
    private final ExecutorMetrics metrics;
    private final ExecutorConfig config;
    private final RunClaims claims;
    private final RunLog runLog;
    private final RedisAPI state;
    private HttpClient client;
    private EventRunner runner;

    public ExecutorVerticle(WorkflowTable workflows, AccountingProducer accounting, ExecutorMetrics metrics,
                            ExecutorConfig config, RunClaims claims, RunLog runLog, RedisAPI state) {
        this.state = state;
        this.workflows = workflows;
        this.accounting = accounting;
        this.metrics = metrics;
        this.config = config;
        this.claims = claims;
        this.runLog = runLog;
    }

    @Override
    public Future<?> start() {
        client = vertx.createHttpClient(new HttpClientOptions().setKeepAlive(true).setTcpNoDelay(true).setPipelining(false),
                new PoolOptions().setHttp1MaxSize(256).setMaxWaitQueueSize(-1));
        runner = new EventRunner(vertx, context, workflows, new HttpStepRunner(vertx, client), accounting, metrics, config, claims,
                runLog, state);
        return Future.succeededFuture();
    }

    public Context context() {
        return context;
    }

    public EventRunner runner() {
        return runner;
    }

    @Override
    public Future<?> stop() {
        return client == null ? Future.succeededFuture() : client.close();
    }
}
