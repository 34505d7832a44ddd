package dev.sluice.testkit;

import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Queue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A real HTTP server on 127.0.0.1 and a free port that records every request it receives and
 * answers with a configurable status after a configurable delay. It owns its own Vert.x instance.
 *
 * <p>Delays are timers on the event loop, never blocking: a slow answer to one request does not
 * hold up any other. A request is recorded once its body has arrived, before the delay.
 */
public final class WebhookTarget implements AutoCloseable {

    private static final Duration START_TIMEOUT = Duration.ofSeconds(30);
    private static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(10);
    private static final int DEFAULT_STATUS = 200;

    private final Vertx vertx;
    private volatile HttpServer server;
    /** The port of the first listen; a target taken down and brought up again listens on it again. */
    private final int port;

    private final List<Received> received = new ArrayList<>();
    /** The requests answered with a 2xx status (the answer written, though the sender may have given up). */
    private final List<Received> delivered = new ArrayList<>();

    private final Queue<Integer> nextStatuses = new ConcurrentLinkedQueue<>();
    private final Map<HeaderMatch, Duration> headerDelays = new ConcurrentHashMap<>();
    private volatile int status = DEFAULT_STATUS;
    private volatile Duration delay = Duration.ZERO;
    /** An extra delay drawn uniformly from [0, jitter) for each answer (default zero). */
    private volatile Duration jitter = Duration.ZERO;
    /** The share of answers (0..1) that get {@link #flapStatus} instead of the normal status. */
    private volatile double flapShare;

    private volatile int flapStatus = DEFAULT_STATUS;
    private boolean closed;
    /** Taken down: not listening. */
    private boolean down;

    private WebhookTarget(Vertx vertx, HttpServer server) {
        this.vertx = vertx;
        this.server = server;
        this.port = server.actualPort();
    }

    /** Starts a server on a free port with a Vert.x instance of its own (closed by {@link #close()}). */
    public static WebhookTarget start() {
        Vertx vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(2).setWorkerPoolSize(2));
        WebhookTarget[] self = new WebhookTarget[1];
        HttpServer server = newServer(vertx, 0, request -> self[0].handle(request));
        try {
            await(server.listen(), START_TIMEOUT);
        } catch (RuntimeException e) {
            await(vertx.close(), CLOSE_TIMEOUT);
            throw e;
        }
        self[0] = new WebhookTarget(vertx, server);
        Cleanup.register(self[0]);
        return self[0];
    }

    private static HttpServer newServer(Vertx vertx, int port, Handler<HttpServerRequest> handler) {
        return vertx.createHttpServer(new HttpServerOptions()
                        .setHost(Ports.LOOPBACK_HOST)
                        .setPort(port)
                        .setHandle100ContinueAutomatically(true))
                .requestHandler(handler);
    }

    public int port() {
        return port;
    }

    /**
     * Takes the target down: stops listening and closes every open connection, so that new
     * connections are refused (as by a host whose service is down) until {@link #bringUp()}.
     */
    public synchronized void takeDown() {
        if (!down) {
            await(server.close(), CLOSE_TIMEOUT);
            down = true;
        }
    }

    /** Listens again on the same port after {@link #takeDown()}; does nothing while it listens. */
    public synchronized void bringUp() {
        if (!down) {
            return;
        }
        HttpServer again = newServer(vertx, port, this::handle);
        await(again.listen(), START_TIMEOUT);
        server = again;
        down = false;
    }

    /** Answers {@code share} (0..1) of the requests, chosen at random, with {@code status}: a flapping target. */
    public void flap(double share, int status) {
        if (!(share >= 0 && share <= 1)) {
            throw new IllegalArgumentException("share must be within 0..1: " + share);
        }
        this.flapStatus = requireStatus(status);
        this.flapShare = share;
    }

    /** Adds a random delay, drawn uniformly from [0, {@code d}), to every answer: with {@link #delay}, a range. */
    public void jitter(Duration d) {
        this.jitter = requireDelay(d);
    }

    /** {@code http://127.0.0.1:PORT} followed by {@code path}. */
    public String url(String path) {
        return "http://" + Ports.LOOPBACK_HOST + ":" + port() + path;
    }

    /** Every request received so far, in arrival order (a snapshot). */
    public List<Received> received() {
        synchronized (received) {
            return List.copyOf(received);
        }
    }

    /** The requests received so far for exactly this path (no query string), in arrival order. */
    public List<Received> received(String path) {
        synchronized (received) {
            return received.stream().filter(r -> r.path().equals(path)).toList();
        }
    }

    /**
     * The requests for exactly this path that were answered with a 2xx status, in answer order:
     * deliveries the target took, as opposed to attempts it refused.
     */
    public List<Received> delivered(String path) {
        synchronized (delivered) {
            return delivered.stream().filter(r -> r.path().equals(path)).toList();
        }
    }

    /** The status of every answer from now on (default 200), except those set by {@link #respondNext}. */
    public void respondWith(int status) {
        this.status = requireStatus(status);
    }

    /** The next {@code count} requests are answered with {@code status}, later ones as before: for retry tests. */
    public void respondNext(int count, int status) {
        requireStatus(status);
        for (int i = 0; i < count; i++) {
            nextStatuses.add(status);
        }
    }

    /** Delays every answer by {@code d} (default zero). */
    public void delay(Duration d) {
        this.delay = requireDelay(d);
    }

    /**
     * Delays the answer by {@code d} only for requests whose header {@code headerName} equals
     * {@code headerValue}: a slow key next to a fast one. When several rules match, the longest wins.
     */
    public void delayFor(String headerName, String headerValue, Duration d) {
        headerDelays.put(new HeaderMatch(headerName.toLowerCase(Locale.ROOT), headerValue), requireDelay(d));
    }

    /** Forgets every request received and restores status 200 and no delays. */
    public void reset() {
        status = DEFAULT_STATUS;
        delay = Duration.ZERO;
        jitter = Duration.ZERO;
        flapShare = 0;
        nextStatuses.clear();
        headerDelays.clear();
        synchronized (received) {
            received.clear();
        }
        synchronized (delivered) {
            delivered.clear();
        }
    }

    /** Stops the server and its Vert.x instance. */
    @Override
    public void close() {
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
        }
        try {
            await(vertx.close(), CLOSE_TIMEOUT);
        } finally {
            Cleanup.unregister(this);
        }
    }

    @Override
    public String toString() {
        return "WebhookTarget[" + url("") + "]";
    }

    private void handle(HttpServerRequest request) {
        long arrivedAt = System.currentTimeMillis();
        String method = request.method().name();
        String path = request.path();
        String version = request.version() == io.vertx.core.http.HttpVersion.HTTP_2 ? "HTTP/2" : "HTTP/1.1";
        Map<String, String> headers = lowerCased(request.headers());
        request.body().onComplete(body -> {
            byte[] bytes = body.succeeded() ? body.result().getBytes() : new byte[0];
            synchronized (received) {
                received.add(new Received(method, path, headers, bytes, arrivedAt, version));
            }
            if (body.failed()) {
                request.response().setStatusCode(400).end();
                return;
            }
            Integer next = nextStatuses.poll();
            ThreadLocalRandom random = ThreadLocalRandom.current();
            int answer = next != null ? next : flapShare > 0 && random.nextDouble() < flapShare ? flapStatus : status;
            long jitterMs = jitter.toMillis();
            long delayMs = delayFor(headers).toMillis() + (jitterMs > 0 ? random.nextLong(jitterMs) : 0);
            Received taken = new Received(method, path, headers, bytes, arrivedAt, version);
            if (delayMs <= 0) {
                answer(request, answer, taken);
            } else {
                vertx.setTimer(delayMs, id -> answer(request, answer, taken));
            }
        });
    }

    private void answer(HttpServerRequest request, int status, Received taken) {
        if (status >= 200 && status < 300 && !request.response().closed()) {
            synchronized (delivered) {
                delivered.add(taken);
            }
        }
        request.response().setStatusCode(status).end();
    }

    private Duration delayFor(Map<String, String> headers) {
        Duration longest = delay;
        for (Map.Entry<HeaderMatch, Duration> rule : headerDelays.entrySet()) {
            if (rule.getKey().value().equals(headers.get(rule.getKey().name()))
                    && rule.getValue().compareTo(longest) > 0) {
                longest = rule.getValue();
            }
        }
        return longest;
    }

    private static Map<String, String> lowerCased(MultiMap headers) {
        Map<String, String> map = new LinkedHashMap<>();
        for (String name : headers.names()) {
            map.put(name.toLowerCase(Locale.ROOT), String.join(",", headers.getAll(name)));
        }
        return Collections.unmodifiableMap(map);
    }

    private static int requireStatus(int status) {
        if (status < 100 || status > 999) {
            throw new IllegalArgumentException("not an HTTP status: " + status);
        }
        return status;
    }

    private static Duration requireDelay(Duration d) {
        if (Objects.requireNonNull(d, "delay").isNegative()) {
            throw new IllegalArgumentException("negative delay: " + d);
        }
        return d;
    }

    private static <T> T await(Future<T> future, Duration timeout) {
        try {
            return future.toCompletionStage().toCompletableFuture().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            throw new IllegalStateException("webhook target: " + e.getCause().getMessage(), e.getCause());
        } catch (TimeoutException e) {
            throw new IllegalStateException("webhook target: no answer within " + timeout, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    private record HeaderMatch(String name, String value) {}

    /**
     * One request as received.
     *
     * @param method           the HTTP method, upper case
     * @param path             the path without the query string
     * @param headers          header names lower-cased; repeated headers joined with a comma
     * @param body             the body bytes exactly as received
     * @param receivedAtMillis wall-clock time when the request's headers arrived
     * @param version          {@code HTTP/1.1} or {@code HTTP/2} (cleartext, by prior knowledge or upgrade)
     */
    public record Received(
            String method,
            String path,
            Map<String, String> headers,
            byte[] body,
            long receivedAtMillis,
            String version) {

        /** The body decoded as UTF-8. */
        public String bodyAsString() {
            return new String(body, StandardCharsets.UTF_8);
        }

        /** A header by case-insensitive name, or null. */
        public String header(String name) {
            return headers.get(name.toLowerCase(Locale.ROOT));
        }
    }
}
