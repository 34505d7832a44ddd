package dev.sluice.router.impl.http;

import dev.sluice.core.http.Http2Flushes;
import dev.sluice.router.RouterConfig;
import dev.sluice.router.impl.auth.AccessSnapshot;
import dev.sluice.router.impl.workflow.WorkflowDirectory;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.Http2Settings;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import java.util.ArrayDeque;
import java.util.IdentityHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * One ingest server on one event loop; a router process deploys one per core on a shared port.
 * HTTP/1.1 (keep-alive, pipelining), HTTP/2 over cleartext (prior knowledge and upgrade) and
 * over TLS by ALPN when a certificate is configured. Request bodies are framed strictly
 * ({@link StrictHttp1}, {@link Framing}) and decoded by Sluice itself ({@link BodyReader}); requests
 * the codec cannot decode are answered with problems ({@link CodecProblems}). Slow clients: a
 * connection that sends nothing for the read-idle timeout is closed; where Vert.x reports the
 * connection when it opens (h2c off, or TLS), one that has not sent its first request's headers
 * within the header timeout is closed too, even if it trickles bytes. With h2c on, Vert.x holds the
 * connection back until it has told HTTP/1.1 from an HTTP/2 preface, so only the read-idle bound
 * applies to the first request there.
 */
public final class IngestVerticle extends VerticleBase {

    private static final long SWEEP_INTERVAL_MS = 50;
    /**
     * HTTP/2 rapid reset (CVE-2023-44487): a connection that resets more streams than this within
     * {@link #RST_FLOOD_WINDOW_SECONDS} gets GOAWAY ENHANCE_YOUR_CALM and is closed. Vert.x's own
     * default, set here so that it cannot silently change; a client cancelling its own requests
     * never comes near it.
     */
    static final int RST_FLOOD_MAX_RESETS = 200;

    static final int RST_FLOOD_WINDOW_SECONDS = 30;

    private final IngestState state;
    private final WorkflowDirectory workflows;
    private final Supplier<AccessSnapshot> access;
    private HttpServer server;
    private long sweepTimer = -1;
    private final Map<HttpConnection, Long> awaitingFirstRequest = new IdentityHashMap<>();
    private final ArrayDeque<HttpConnection> connectOrder = new ArrayDeque<>();

    public IngestVerticle(IngestState state) {
        this(state, WorkflowDirectory.none(), () -> AccessSnapshot.EMPTY);
    }

    /** With manual runs ({@link ManualRunHandler}) of the workflows {@code workflows} knows. */
    public IngestVerticle(IngestState state, WorkflowDirectory workflows, Supplier<AccessSnapshot> access) {
        this.state = state;
        this.workflows = workflows;
        this.access = access;
    }

    /** The server options for the configuration; shared with tests. */
    public static HttpServerOptions options(RouterConfig c) {
        HttpServerOptions o = new HttpServerOptions()
                .setHost(c.listen().host())
                .setPort(c.listen().port())
                .setIdleTimeout((int) c.timeouts().idle().toMillis())
                .setIdleTimeoutUnit(TimeUnit.MILLISECONDS)
                .setTcpNoDelay(true)
                .setCompressionSupported(false)
                // No WebSockets here: without these the WebSocket extension handler leaves the pipeline.
                .setPerFrameWebSocketCompressionSupported(false)
                .setPerMessageWebSocketCompressionSupported(false)
                // Every request is read and answered on its own event loop (acks hop back before the
                // answer is written), so responses skip Vert.x's cross-thread outbound queue.
                .setStrictThreadMode(true)
                // Request bodies are decoded by BodyReader, which knows the codings it takes and bounds what
                // they inflate to; Vert.x's decompressor would pass unknown codings through still encoded.
                .setDecompressionSupported(false)
                .setHttp2ClearTextEnabled(c.listen().h2c())
                .setInitialSettings(new Http2Settings()
                        .setMaxConcurrentStreams(c.http2().maxStreams())
                        .setInitialWindowSize(c.http2().streamWindow()))
                .setHttp2ConnectionWindowSize(c.http2().connectionWindow())
                .setHttp2RstFloodMaxRstFramePerWindow(RST_FLOOD_MAX_RESETS)
                .setHttp2RstFloodWindowDuration(RST_FLOOD_WINDOW_SECONDS)
                .setHttp2RstFloodWindowDurationTimeUnit(TimeUnit.SECONDS)
                // A connection that sends nothing for this long is closed: the keep-alive bound, and the
                // backstop against slow clients while the h2c preface check hides the connection.
                .setReadIdleTimeout((int) c.timeouts().readIdle().toMillis())
                .setMaxHeaderSize(c.limits().maxHeaderBytes());
        c.tls().ifPresent(tls -> o.setSsl(true).setUseAlpn(true).setKeyCertOptions(tls.keyCertOptions()));
        return o;
    }

    @Override
    public Future<?> start() {
        IngestHandler handler = new IngestHandler(context, state);
        ManualRunHandler manual = new ManualRunHandler(context, state, workflows, access);
        long headerTimeoutNanos = state.config().timeouts().header().toNanos();
        sweepTimer = vertx.setPeriodic(SWEEP_INTERVAL_MS, id -> {
            handler.sweep();
            manual.sweep();
            closeSilentConnections(headerTimeoutNanos);
        });
        HttpServerOptions options = options(state.config());
        server = vertx.createHttpServer(options)
                .invalidRequestHandler(new CodecProblems(state.metrics()))
                .connectionHandler(conn -> {
                    if (!StrictHttp1.onConnection(conn, options)) {
                        // Accepted before the strict decoder could be put in place: its first request was
                        // framed by a lenient parser, so it is not handled.
                        conn.close();
                        return;
                    }
                    Http2Flushes.coalesce(conn);
                    awaitingFirstRequest.put(conn, System.nanoTime());
                    connectOrder.addLast(conn);
                    conn.closeHandler(v -> awaitingFirstRequest.remove(conn));
                })
                .requestHandler(req -> {
                    awaitingFirstRequest.remove(req.connection());
                    if (ConnectionMarks.isClosing(req.connection())) {
                        // Read behind a request whose answer closes the connection: never handled.
                        req.connection().close();
                        return;
                    }
                    if (req.path() != null && req.path().startsWith(ManualRunHandler.PREFIX)) {
                        manual.handle(req);
                    } else {
                        handler.handle(req);
                    }
                });
        return server.listen().onSuccess(s -> StrictHttp1.guardAccepts(s, options));
    }

    private void closeSilentConnections(long timeoutNanos) {
        long now = System.nanoTime();
        HttpConnection head;
        while ((head = connectOrder.peekFirst()) != null) {
            Long since = awaitingFirstRequest.get(head);
            if (since != null) {
                if (now - since < timeoutNanos) {
                    return;
                }
                awaitingFirstRequest.remove(head);
                head.close();
            }
            connectOrder.pollFirst();
        }
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
