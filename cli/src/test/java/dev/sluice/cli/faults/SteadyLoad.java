package dev.sluice.cli.faults;

import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A steady stream of single events to one ingest URL, one every {@code 1/rate} s whatever the
 * answers (open loop), each with its own id ({@code ce-id}) and body, and the client's side of the
 * ledger: what was sent and how each was answered. Sends from a timer thread through the JDK's
 * asynchronous HTTP client; nothing here runs on a Vert.x event loop.
 */
final class SteadyLoad implements AutoCloseable {

    /** One event as sent. */
    record Sent(String id, byte[] body, long sentAtNanos) {
    }

    /**
     * How the router answered: {@code status} 0 when no answer came (the client gave up or the
     * connection failed); {@code reason} the problem's reason for a refusal, the error for no answer;
     * {@code detail} the problem's detail.
     */
    record Answer(int status, String reason, String detail, long answeredAtNanos) {
        boolean accepted() {
            return status == 202;
        }
    }

    private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(15);

    private static final long RETRY_AFTER_MS = 1_000;

    private final URI ingest;
    private final String runId;
    private final boolean retryRefused;
    private final AtomicInteger retries = new AtomicInteger();
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "steady-load");
        t.setDaemon(true);
        return t;
    });
    private final Map<String, Sent> sent = new ConcurrentHashMap<>();
    private final Map<String, Answer> answers = new ConcurrentHashMap<>();
    private final Map<String, Answer> refusedFirst = new ConcurrentHashMap<>();
    private final AtomicInteger sequence = new AtomicInteger();
    private final AtomicInteger outstanding = new AtomicInteger();

    private SteadyLoad(URI ingest, String runId, boolean retryRefused) {
        this.ingest = ingest;
        this.runId = runId;
        this.retryRefused = retryRefused;
    }

    /** Starts sending {@code perSecond} events a second to {@code ingest}; ids start with {@code runId}. */
    static SteadyLoad start(URI ingest, String runId, int perSecond) {
        return start(ingest, runId, perSecond, false);
    }

    /**
     * As {@link #start(URI, String, int)}; with {@code retryRefused}, an event refused with 503
     * (retryable) is sent once more, unchanged (same id, same body), after 1 s, as a well-behaved
     * source does; its answer is then the retry's.
     */
    static SteadyLoad start(URI ingest, String runId, int perSecond, boolean retryRefused) {
        SteadyLoad load = new SteadyLoad(ingest, runId, retryRefused);
        long periodMicros = TimeUnit.SECONDS.toMicros(1) / perSecond;
        load.timer.scheduleAtFixedRate(load::sendOne, 0, periodMicros, TimeUnit.MICROSECONDS);
        return load;
    }

    private void sendOne() {
        int n = sequence.incrementAndGet();
        String id = runId + "-" + n;
        byte[] body = ("{\"run\":\"" + runId + "\",\"n\":" + n + ",\"pad\":\"" + "x".repeat(n % 64) + "\"}")
                .getBytes(StandardCharsets.UTF_8);
        long sentAt = System.nanoTime();
        sent.put(id, new Sent(id, body, sentAt));
        outstanding.incrementAndGet();
        send(id, body, true);
    }

    private void send(String id, byte[] body, boolean first) {
        HttpRequest request = HttpRequest.newBuilder(ingest).timeout(REQUEST_TIMEOUT)
                .header("content-type", "application/json").header("ce-id", id)
                .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build();
        http.sendAsync(request, HttpResponse.BodyHandlers.ofString()).whenComplete((response, error) -> {
            Answer answer = error != null
                    ? new Answer(0, error.getClass().getSimpleName(), String.valueOf(error.getMessage()), System.nanoTime())
                    : new Answer(response.statusCode(), field(response, "reason"), field(response, "detail"), System.nanoTime());
            if (first && retryRefused && answer.status() == 503) {
                retries.incrementAndGet();
                refusedFirst.put(id, answer);
                CompletableFuture.delayedExecutor(RETRY_AFTER_MS, TimeUnit.MILLISECONDS).execute(() -> send(id, body, false));
                return;
            }
            answers.put(id, answer);
            outstanding.decrementAndGet();
        });
    }

    /** A field of a refusal's problem body; "status-NNN" when there is none. */
    private static String field(HttpResponse<String> response, String name) {
        if (response.statusCode() == 202) {
            return "";
        }
        try {
            String value = new JsonObject(response.body()).getString(name);
            return value == null ? "status-" + response.statusCode() : value;
        } catch (DecodeException | ClassCastException e) {
            return "status-" + response.statusCode();
        }
    }

    /** Stops sending; answers to what was sent still arrive (see {@link #drained()}). */
    void stop() {
        timer.shutdownNow();
    }

    /** True once the load is stopped and every request sent has its answer. */
    boolean drained() {
        return timer.isShutdown() && outstanding.get() == 0;
    }

    /** Accepted events, so far. */
    long accepted() {
        return answers.values().stream().filter(Answer::accepted).count();
    }

    /** Accepted events that were sent at or after {@code nanos} ({@link System#nanoTime()}). */
    long acceptedSentSince(long nanos) {
        return sent.values().stream().filter(s -> s.sentAtNanos() >= nanos)
                .filter(s -> answers.containsKey(s.id()) && answers.get(s.id()).accepted()).count();
    }

    /** Events sent a second time after a 503. */
    int retries() {
        return retries.get();
    }

    /** The first answers of the events that were sent again, by id. */
    Map<String, Answer> refusedFirst() {
        return Map.copyOf(refusedFirst);
    }

    Map<String, Sent> sent() {
        return Map.copyOf(sent);
    }

    Map<String, Answer> answers() {
        return Map.copyOf(answers);
    }

    @Override
    public void close() {
        stop();
    }
}
