package dev.sluice.loadgen;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** Reads the executor's accounting counters from its Prometheus text endpoint. Blocking; never on an event loop. */
final class Prometheus {

    /** The counters a run accounts with; all -1 when the endpoint could not be read. */
    record Counters(double expired, double deadLettered, double succeeded) {
        static final Counters UNKNOWN = new Counters(-1, -1, -1);

        boolean known() {
            return expired >= 0;
        }

        Counters minus(Counters before) {
            if (!known() || !before.known()) {
                return UNKNOWN;
            }
            return new Counters(
                    expired - before.expired, deadLettered - before.deadLettered, succeeded - before.succeeded);
        }
    }

    // HTTP/1.1: the default (HTTP/2 with an h2c upgrade on plain http) once left a scrape waiting for
    // 15 minutes, its 5 s request timeout notwithstanding, and the whole run with it.
    private static final HttpClient HTTP = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(2))
            .build();
    private static final Duration TIMEOUT = Duration.ofSeconds(5);

    private Prometheus() {}

    static Counters scrape(String url) {
        if (url == null) {
            return Counters.UNKNOWN;
        }
        CompletableFuture<HttpResponse<String>> call = null;
        try {
            call = HTTP.sendAsync(
                    HttpRequest.newBuilder(URI.create(url))
                            .timeout(TIMEOUT)
                            .GET()
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            // Bounded here too, so no state of the client can hold the caller longer.
            HttpResponse<String> r = call.get(TIMEOUT.toMillis() + 1000, TimeUnit.MILLISECONDS);
            return r.statusCode() == 200 ? parse(r.body()) : Counters.UNKNOWN;
        } catch (ExecutionException | TimeoutException | IllegalArgumentException e) {
            if (call != null) {
                call.cancel(true);
            }
            return Counters.UNKNOWN;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Counters.UNKNOWN;
        }
    }

    /**
     * Sums {@code sluice_executor_expired_total} over topics and
     * {@code sluice_executor_runs_total} over workflows, for the dead-lettered and succeeded outcomes.
     */
    static Counters parse(String text) {
        double expired = 0;
        double dead = 0;
        double ok = 0;
        for (String line : text.split("\n")) {
            if (line.startsWith("#") || line.isBlank()) {
                continue;
            }
            if (line.startsWith("sluice_executor_expired_total")) {
                expired += value(line);
            } else if (line.startsWith("sluice_executor_runs_total")) {
                if (line.contains("outcome=\"dead_lettered\"")) {
                    dead += value(line);
                } else if (line.contains("outcome=\"succeeded\"")) {
                    ok += value(line);
                }
            }
        }
        return new Counters(expired, dead, ok);
    }

    private static double value(String line) {
        int close = line.lastIndexOf('}');
        String rest = (close >= 0 ? line.substring(close + 1) : line.substring(line.indexOf(' '))).trim();
        String v = rest.split(" ")[0];
        try {
            return Double.parseDouble(v);
        } catch (NumberFormatException e) {
            return 0;
        }
    }
}
