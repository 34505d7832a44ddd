package dev.sluice.benchmarks.load;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

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
            return new Counters(expired - before.expired, deadLettered - before.deadLettered, succeeded - before.succeeded);
        }
    }

    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    private Prometheus() {
    }

    static Counters scrape(String url) {
        if (url == null) {
            return Counters.UNKNOWN;
        }
        try {
            HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(5)).GET().build(),
                    HttpResponse.BodyHandlers.ofString());
            return r.statusCode() == 200 ? parse(r.body()) : Counters.UNKNOWN;
        } catch (IOException | IllegalArgumentException e) {
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
