package dev.sluice.router.impl.http;

import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import java.util.concurrent.TimeUnit;

/** One ingest server on one event loop; a router process deploys one per core on a shared port. */
public final class IngestVerticle extends VerticleBase {

    private static final long SWEEP_INTERVAL_MS = 50;

    private final IngestState state;
    private HttpServer server;
    private long sweepTimer = -1;

    public IngestVerticle(IngestState state) {
        this.state = state;
    }

    @Override
    public Future<?> start() {
        IngestHandler handler = new IngestHandler(context, state);
        sweepTimer = vertx.setPeriodic(SWEEP_INTERVAL_MS, id -> handler.sweep());
        HttpServerOptions options = new HttpServerOptions()
                .setHost(state.config().host())
                .setPort(state.config().port())
                .setIdleTimeout((int) state.config().idleTimeout().toSeconds())
                .setIdleTimeoutUnit(TimeUnit.SECONDS)
                .setTcpNoDelay(true)
                .setCompressionSupported(false);
        server = vertx.createHttpServer(options).requestHandler(handler);
        return server.listen();
    }

    /** Stops taking connections and waits, up to {@code timeoutMs}, for requests in progress to be answered. */
    public Future<Void> shutdown(long timeoutMs) {
        return server == null ? Future.succeededFuture() : server.shutdown(timeoutMs, TimeUnit.MILLISECONDS);
    }

    @Override
    public Future<?> stop() {
        if (sweepTimer >= 0) {
            vertx.cancelTimer(sweepTimer);
        }
        return server == null ? Future.succeededFuture() : server.close();
    }
}
