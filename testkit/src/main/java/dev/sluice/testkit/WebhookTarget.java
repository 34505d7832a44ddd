package dev.sluice.testkit;

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
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;

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
    private final HttpServer server;
    private final List<Received> received = new ArrayList<>();
    private final Queue<Integer> nextStatuses = new ConcurrentLinkedQueue<>();
    private final Map<HeaderMatch, Duration> headerDelays = new ConcurrentHashMap<>();
    private volatile int status = DEFAULT_STATUS;
    private volatile Duration delay = Duration.ZERO;
    private boolean closed;

    private WebhookTarget(Vertx vertx) {
        this.vertx = vertx;
        this.server = vertx.createHttpServer(new HttpServerOptions()
                .setHost(Ports.LOOPBACK_HOST)
                .setPort(0)
                .setHandle100ContinueAutomatically(true));
        server.requestHandler(this::handle);
    }

    /** Starts a server on a free port with a Vert.x instance of its own (closed by {@link #close()}). */
    public static WebhookTarget start() {
        Vertx vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(2).setWorkerPoolSize(2));
        WebhookTarget target = new WebhookTarget(vertx);
        try {
            await(target.server.listen(), START_TIMEOUT);
        } catch (RuntimeException e) {
            await(vertx.close(), CLOSE_TIMEOUT);
            throw e;
        }
        Cleanup.register(target);
        return target;
    }

    public int port() {
        return server.actualPort();
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
        nextStatuses.clear();
        headerDelays.clear();
        synchronized (received) {
            received.clear();
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
            int answer = next != null ? next : status;
            long delayMs = delayFor(headers).toMillis();
            if (delayMs <= 0) {
                request.response().setStatusCode(answer).end();
            } else {
                vertx.setTimer(delayMs, id -> request.response().setStatusCode(answer).end());
            }
        });
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

    private record HeaderMatch(String name, String value) {
    }

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
    public record Received(String method, String path, Map<String, String> headers, byte[] body,
                           long receivedAtMillis, String version) {

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
