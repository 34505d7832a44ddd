package dev.sluice.cli.chaos;

import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An open-loop stream of single events, one every {@code 1/rate} s whatever the answers, each with
 * its own id ({@code ce-id}) and body, and the client's side of the audit: what was sent, where,
 * when, and how each was answered. A timer thread paces the sends; a Vert.x HTTP client of its own
 * (one event loop, up to {@value #CONNECTIONS} kept-alive connections) carries them, which holds thousands of
 * events a second where the JDK's client, opening a connection per request in flight, did not.
 */
public final class Ledger implements AutoCloseable {

    /** Where a share of the events goes: {@code weight} of every {@code Σ weights} events, in turn. */
    public record Lane(String source, URI ingest, int weight) {
        public Lane {
            if (weight < 1) {
                throw new IllegalArgumentException("a lane's weight is at least 1: " + weight);
            }
        }
    }

    /** One event as sent: its lane's source, its body, and when (monotonic and wall clock). */
    public record Sent(String id, String source, byte[] body, long sentAtNanos, long sentAtMillis) {}

    /**
     * How the router answered: {@code status} 0 when no answer came (the client gave up or the
     * connection failed); {@code reason} the problem's reason for a refusal, the error for no answer;
     * {@code detail} the problem's detail.
     */
    public record Answer(int status, String reason, String detail, long answeredAtNanos) {
        public boolean accepted() {
            return status == 202;
        }
    }

    private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(15);
    /**
     * HTTP/1.1 carries one request per connection at a time, so the connections bound what is in
     * flight (rate × answer time): past that, requests wait in this client and count as unanswered
     * after {@link #REQUEST_TIMEOUT}. 4,096 were tried on two cores and starved the load's own
     * threads instead (fewer events offered).
     */
    static final int CONNECTIONS = 512;

    private static final long RETRY_AFTER_MS = 1_000;

    private final List<Lane> lanes;
    private final int totalWeight;
    private final String runId;
    private final boolean retryRefused;
    private final AtomicInteger retries = new AtomicInteger();
    private final Vertx vertx =
            Vertx.vertx(new VertxOptions().setEventLoopPoolSize(1).setWorkerPoolSize(1));
    private final HttpClientAgent http = vertx.createHttpClient(
            new HttpClientOptions().setKeepAlive(true).setConnectTimeout(5_000),
            new PoolOptions().setHttp1MaxSize(CONNECTIONS).setMaxWaitQueueSize(-1));
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "chaos-load");
        t.setDaemon(true);
        return t;
    });
    private final Map<String, Sent> sent = new ConcurrentHashMap<>();
    private final Map<String, Answer> answers = new ConcurrentHashMap<>();
    private final Map<String, Answer> refusedFirst = new ConcurrentHashMap<>();
    private final AtomicInteger sequence = new AtomicInteger();
    private final AtomicInteger outstanding = new AtomicInteger();

    private Ledger(List<Lane> lanes, String runId, boolean retryRefused) {
        if (lanes.isEmpty()) {
            throw new IllegalArgumentException("at least one lane");
        }
        this.lanes = List.copyOf(lanes);
        this.totalWeight = lanes.stream().mapToInt(Lane::weight).sum();
        this.runId = runId;
        this.retryRefused = retryRefused;
    }

    /** Starts sending {@code perSecond} events a second to {@code ingest}; ids start with {@code runId}. */
    public static Ledger start(URI ingest, String runId, int perSecond) {
        return start(List.of(new Lane("", ingest, 1)), runId, perSecond, false);
    }

    /**
     * Starts sending {@code perSecond} events a second over {@code lanes}; with {@code retryRefused},
     * an event refused with 503 (retryable) is sent once more, unchanged (same id, same body), after
     * 1 s, as a well-behaved source does; its answer is then the retry's.
     */
    public static Ledger start(List<Lane> lanes, String runId, int perSecond, boolean retryRefused) {
        if (perSecond < 1) {
            throw new IllegalArgumentException("rate must be at least 1 event/s: " + perSecond);
        }
        Ledger load = new Ledger(lanes, runId, retryRefused);
        long periodMicros = TimeUnit.SECONDS.toMicros(1) / perSecond;
        load.timer.scheduleAtFixedRate(load::sendOne, 0, periodMicros, TimeUnit.MICROSECONDS);
        return load;
    }

    private Lane lane(int n) {
        int slot = n % totalWeight;
        for (Lane lane : lanes) {
            slot -= lane.weight();
            if (slot < 0) {
                return lane;
            }
        }
        throw new IllegalStateException("unreachable");
    }

    private void sendOne() {
        int n = sequence.incrementAndGet();
        Lane lane = lane(n);
        String id = runId + "-" + n;
        byte[] body = ("{\"run\":\"" + runId + "\",\"n\":" + n + ",\"pad\":\"" + "x".repeat(n % 64) + "\"}")
                .getBytes(StandardCharsets.UTF_8);
        sent.put(id, new Sent(id, lane.source(), body, System.nanoTime(), System.currentTimeMillis()));
        outstanding.incrementAndGet();
        send(lane.ingest(), id, body, true);
    }

    private void send(URI ingest, String id, byte[] body, boolean first) {
        RequestOptions request = new RequestOptions()
                .setMethod(HttpMethod.POST)
                .setAbsoluteURI(ingest.toString())
                .setIdleTimeout(REQUEST_TIMEOUT.toMillis())
                .putHeader("content-type", "application/json")
                .putHeader("ce-id", id);
        http.request(request)
                .compose(req -> req.send(Buffer.buffer(body)))
                .compose(response -> response.body()
                        .map(text -> new Answer(
                                response.statusCode(),
                                field(response.statusCode(), text),
                                detail(response.statusCode(), text),
                                System.nanoTime())))
                // A bound on the whole exchange, the wait for a pooled connection included: the idle
                // timeout alone never fires for a request still queued for a connection.
                .timeout(REQUEST_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)
                .onComplete(ar -> {
                    Answer answer = ar.succeeded()
                            ? ar.result()
                            : new Answer(
                                    0,
                                    ar.cause().getClass().getSimpleName(),
                                    String.valueOf(ar.cause().getMessage()),
                                    System.nanoTime());
                    if (first && retryRefused && answer.status() == 503) {
                        retries.incrementAndGet();
                        refusedFirst.put(id, answer);
                        vertx.setTimer(RETRY_AFTER_MS, t -> send(ingest, id, body, false));
                        return;
                    }
                    answers.put(id, answer);
                    outstanding.decrementAndGet();
                });
    }

    private static String field(int status, Buffer body) {
        return problemField(status, body, "reason");
    }

    private static String detail(int status, Buffer body) {
        return problemField(status, body, "detail");
    }

    /** A field of a refusal's problem body; "status-NNN" when there is none. */
    private static String problemField(int status, Buffer body, String name) {
        if (status == 202) {
            return "";
        }
        try {
            String value = new JsonObject(body).getString(name);
            return value == null ? "status-" + status : value;
        } catch (DecodeException | ClassCastException e) {
            return "status-" + status;
        }
    }

    /** Stops sending; answers to what was sent still arrive (see {@link #drained()}). */
    public void stop() {
        timer.shutdownNow();
    }

    /** True once the load is stopped and every request sent has its answer. */
    public boolean drained() {
        return timer.isShutdown() && outstanding.get() == 0;
    }

    /** Accepted events, so far. */
    public long accepted() {
        return answers.values().stream().filter(Answer::accepted).count();
    }

    /** Accepted events that were sent at or after {@code nanos} ({@link System#nanoTime()}). */
    public long acceptedSentSince(long nanos) {
        return sent.values().stream()
                .filter(s -> s.sentAtNanos() >= nanos)
                .filter(s -> answers.containsKey(s.id()) && answers.get(s.id()).accepted())
                .count();
    }

    /** Events sent a second time after a 503. */
    public int retries() {
        return retries.get();
    }

    /** The first answers of the events that were sent again, by id. */
    public Map<String, Answer> refusedFirst() {
        return Map.copyOf(refusedFirst);
    }

    public Map<String, Sent> sent() {
        return Map.copyOf(sent);
    }

    public Map<String, Answer> answers() {
        return Map.copyOf(answers);
    }

    @Override
    public void close() {
        stop();
        vertx.close();
    }
}
