package dev.sluice.executor.impl;

import dev.sluice.executor.impl.workflow.EventRunner;
import dev.sluice.executor.impl.workflow.HttpStepRunner;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.PoolOptions;

/** One event loop's share of the executor: the runner and HTTP client its partitions use. */
public final class ExecutorVerticle extends VerticleBase {

    private final ExecutorServices services;
    private HttpClient client;
    private EventRunner runner;

    public ExecutorVerticle(ExecutorServices services) {
        this.services = services;
    }

    @Override
    public Future<?> start() {
        client = vertx.createHttpClient(new HttpClientOptions().setKeepAlive(true).setTcpNoDelay(true).setPipelining(false),
                new PoolOptions().setHttp1MaxSize(services.config().httpPool()).setMaxWaitQueueSize(-1));
        runner = new EventRunner(vertx, context, new HttpStepRunner(vertx, client), services);
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
