package dev.sluice.cli;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The dev stack's built-in webhook target: answers every request with 200 and counts it, a
 * schedule's ticks (CloudEvents type {@code dev.sluice.schedule}) apart from the rest.
 */
public final class EchoServer {

    private static final Logger LOG = LoggerFactory.getLogger(EchoServer.class);

    private static final String TICK = "dev.sluice.schedule";

    private final HttpServer server;
    private final AtomicLong received;
    private final AtomicLong ticks;

    private EchoServer(HttpServer server, AtomicLong received, AtomicLong ticks) {
        this.server = server;
        this.received = received;
        this.ticks = ticks;
    }

    public static Future<EchoServer> start(Vertx vertx, String host, int port) {
        AtomicLong received = new AtomicLong();
        AtomicLong ticks = new AtomicLong();
        HttpServer server = vertx.createHttpServer()
                .requestHandler(req -> req.body().onComplete(ar -> {
                    long n = (TICK.equals(req.getHeader("ce-type")) ? ticks : received).incrementAndGet();
                    if (LOG.isDebugEnabled() && ar.succeeded()) {
                        LOG.debug(
                                "echo #{} {} ce-id={} {} bytes",
                                n,
                                req.path(),
                                req.getHeader("ce-id"),
                                ar.result().length());
                    }
                    req.response().putHeader("content-type", "application/json").end("{\"received\":" + n + "}");
                }));
        return server.listen(port, host).map(s -> new EchoServer(s, received, ticks));
    }

    public int port() {
        return server.actualPort();
    }

    public long received() {
        return received.get();
    }

    public long ticks() {
        return ticks.get();
    }

    public Future<Void> close() {
        return server.close();
    }
}
