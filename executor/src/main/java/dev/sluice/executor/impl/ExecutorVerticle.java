package dev.sluice.executor.impl;

import dev.sluice.core.http.Http2Flushes;
import dev.sluice.executor.impl.workflow.EventRunner;
import dev.sluice.executor.impl.workflow.HttpStepRunner;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.tracing.TracingPolicy;

/**
 * One event loop's share of the executor: the runner and the HTTP clients its partitions use, one
 * for HTTP/1.1 targets and one for the steps that say {@code "http2": true}. The HTTP/2 client's
 * connections coalesce their flushes ({@link Http2Flushes}): the calls a poll's runs start together
 * leave in one system call per connection.
 */
public final class ExecutorVerticle extends VerticleBase {

    private final ExecutorServices services;
    private HttpClient client;
    private HttpClient http2Client;
    private EventRunner runner;

    public ExecutorVerticle(ExecutorServices services) {
        this.services = services;
    }

    @Override
    public Future<?> start() {
        // Steps' requests carry the step span's context, set by HttpStepRunner: Vert.x's tracer (when on) stays out of
        // them.
        client = vertx.createHttpClient(
                new HttpClientOptions()
                        .setKeepAlive(true)
                        .setTcpNoDelay(true)
                        .setPipelining(false)
                        .setTracingPolicy(TracingPolicy.IGNORE),
                new PoolOptions().setHttp1MaxSize(services.config().httpPool()).setMaxWaitQueueSize(-1));
        http2Client = vertx.httpClientBuilder()
                .with(http2ClientOptions())
                .with(new PoolOptions()
                        .setHttp2MaxSize(services.config().http2Pool())
                        .setMaxWaitQueueSize(-1))
                .withConnectHandler(Http2Flushes::coalesce)
                .build();
        runner = new EventRunner(
                vertx,
                context,
                new HttpStepRunner(vertx, client, http2Client, services.targets(), services.tracing()),
                services);
        return Future.succeededFuture();
    }

    /** HTTP/2 by prior knowledge on {@code http://}, by ALPN (h2, else HTTP/1.1) on {@code https://}. */
    public static HttpClientOptions http2ClientOptions() {
        return new HttpClientOptions()
                .setProtocolVersion(HttpVersion.HTTP_2)
                .setUseAlpn(true)
                .setHttp2ClearTextUpgrade(false)
                .setKeepAlive(true)
                .setTcpNoDelay(true)
                .setTracingPolicy(TracingPolicy.IGNORE);
    }

    public Context context() {
        return context;
    }

    public EventRunner runner() {
        return runner;
    }

    @Override
    public Future<?> stop() {
        return Future.join(
                client == null ? Future.succeededFuture() : client.close(),
                http2Client == null ? Future.succeededFuture() : http2Client.close());
    }
}
