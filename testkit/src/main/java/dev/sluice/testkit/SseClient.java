package dev.sluice.testkit;

import io.vertx.core.json.JsonObject;
import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * A Server-Sent Events client for tests: connects, reads {@code data:} events (JSON) on its own
 * thread, and lets a test wait for the first event that satisfies a condition.
 */
public final class SseClient implements AutoCloseable {

    private final BlockingQueue<JsonObject> events = new LinkedBlockingQueue<>();
    private final InputStream body;
    private final Thread reader;
    private final HttpResponse<InputStream> response;

    private SseClient(HttpResponse<InputStream> response) {
        this.response = response;
        this.body = response.body();
        this.reader = new Thread(this::read, "sse-client");
        reader.setDaemon(true);
        reader.start();
    }

    /** Connects to {@code url}; the answer's status and headers are available at once. */
    public static SseClient connect(String url) throws Exception {
        HttpClient http =
                HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        HttpResponse<InputStream> r = http.send(
                HttpRequest.newBuilder(URI.create(url))
                        .header("accept", "text/event-stream")
                        .GET()
                        .build(),
                HttpResponse.BodyHandlers.ofInputStream());
        return new SseClient(r);
    }

    public int status() {
        return response.statusCode();
    }

    public String contentType() {
        return response.headers().firstValue("content-type").orElse("");
    }

    private void read() {
        try (BufferedReader in = new BufferedReader(new InputStreamReader(body, StandardCharsets.UTF_8))) {
            StringBuilder data = new StringBuilder();
            String line;
            while ((line = in.readLine()) != null) {
                if (line.startsWith("data:")) {
                    data.append(line.substring(5).trim());
                } else if (line.isEmpty() && data.length() > 0) {
                    events.add(new JsonObject(data.toString()));
                    data.setLength(0);
                }
            }
        } catch (Exception closed) {
            // the stream ended or the test closed it
        }
    }

    /** The first event (from now on) that satisfies {@code wanted}; fails after {@code within}, naming the last event seen. */
    public JsonObject await(Predicate<JsonObject> wanted, Duration within) throws InterruptedException {
        long end = System.nanoTime() + within.toNanos();
        JsonObject last = null;
        while (System.nanoTime() < end) {
            JsonObject e = events.poll(Math.max(1, end - System.nanoTime()), TimeUnit.NANOSECONDS);
            if (e == null) {
                break;
            }
            last = e;
            if (wanted.test(e)) {
                return e;
            }
        }
        throw new AssertionError("no event satisfied the condition within " + within.toMillis() + " ms; last: "
                + (last == null ? "none" : last.encode()));
    }

    @Override
    public void close() throws java.io.IOException {
        body.close();
        reader.interrupt();
    }
}
