package dev.sluice.cli;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The dev stack's built-in webhook target: answers every request with 200 and counts it. */
public final class EchoServer {

    private static final Logger LOG = LoggerFactory.getLogger(EchoServer.class);

    private final HttpServer server;
    private final AtomicLong received;

    private EchoServer(HttpServer server, AtomicLong received) {
        this.server = server;
        this.received = received;
    }

    public static Future<EchoServer> start(Vertx vertx, String host, int port) {
        AtomicLong received = new AtomicLong();
        HttpServer server = vertx.createHttpServer().requestHandler(req -> req.body().onComplete(ar -> {
            long n = received.incrementAndGet();
            if (LOG.isDebugEnabled() && ar.succeeded()) {
                LOG.debug("echo #{} {} ce-id={} {} bytes", n, req.path(), req.getHeader("ce-id"), ar.result().length());
            }
            req.response().putHeader("content-type", "application/json").end("{\"received\":" + n + "}");
        }));
        return server.listen(port, host).map(s -> new EchoServer(s, received));
    }

    public int port() {
        return server.actualPort();
    }

    public long received() {
        return received.get();
    }

    public Future<Void> close() {
        return server.close();
    }
}
