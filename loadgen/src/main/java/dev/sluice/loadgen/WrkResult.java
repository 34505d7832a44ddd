package dev.sluice.loadgen;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** What one run of the driver (wrk or h2load) printed, parsed. */
record WrkResult(long requests, double seconds, long non2xx, long socketErrors, Map<String, Double> latencyMillis) {
    double perSecond() {
        return seconds > 0 ? requests / seconds : 0;
    }

    private static final Pattern TOTAL = Pattern.compile("(\\d+) requests in ([0-9.]+)(us|ms|s|m)");
    private static final Pattern NON2XX = Pattern.compile("Non-2xx or 3xx responses: (\\d+)");
    private static final Pattern SOCKET =
            Pattern.compile("Socket errors: connect (\\d+), read (\\d+), write (\\d+), timeout (\\d+)");
    private static final Pattern PCT =
            Pattern.compile("^\\s*(50|75|90|99)%\\s+([0-9.]+)(us|ms|s)\\s*$", Pattern.MULTILINE);

    private static final Pattern H2_FINISHED = Pattern.compile("finished in ([0-9.]+)(us|ms|s|m), ([0-9.]+) req/s");
    private static final Pattern H2_REQUESTS = Pattern.compile(
            "requests: (\\d+) total, (\\d+) started, (\\d+) done, (\\d+) succeeded, (\\d+) failed, (\\d+) errored, (\\d+) timeout");
    private static final Pattern H2_STATUS =
            Pattern.compile("status codes: (\\d+) 2xx, (\\d+) 3xx, (\\d+) 4xx, (\\d+) 5xx");
    private static final Pattern H2_TIME =
            Pattern.compile("time for request:\\s+([0-9.]+)(us|ms|s)\\s+([0-9.]+)(us|ms|s)\\s+([0-9.]+)(us|ms|s)");

    /**
     * Parses h2load's text output: requests done, the share not answered 2xx, errors and timeouts,
     * and its request-time summary (h2load prints min, max and mean, no percentiles).
     */
    static WrkResult parseH2load(String text) {
        Matcher f = H2_FINISHED.matcher(text);
        Matcher q = H2_REQUESTS.matcher(text);
        Matcher st = H2_STATUS.matcher(text);
        if (!f.find() || !q.find() || !st.find()) {
            throw new IllegalStateException("h2load printed no request totals:\n" + text);
        }
        double seconds = toMillis(Double.parseDouble(f.group(1)), f.group(2)) / 1000.0;
        long done = Long.parseLong(q.group(3));
        long ok = Long.parseLong(st.group(1));
        long errors = Long.parseLong(q.group(6)) + Long.parseLong(q.group(7));
        Map<String, Double> lat = new LinkedHashMap<>();
        Matcher t = H2_TIME.matcher(text);
        if (t.find()) {
            lat.put("min", toMillis(Double.parseDouble(t.group(1)), t.group(2)));
            lat.put("max", toMillis(Double.parseDouble(t.group(3)), t.group(4)));
            lat.put("mean", toMillis(Double.parseDouble(t.group(5)), t.group(6)));
        }
        return new WrkResult(done, seconds, done - ok, errors, lat);
    }

    /** Parses wrk's text output (run with {@code --latency}). */
    static WrkResult parseWrk(String text) {
        Matcher t = TOTAL.matcher(text);
        if (!t.find()) {
            throw new IllegalStateException("wrk printed no request total:\n" + text);
        }
        long requests = Long.parseLong(t.group(1));
        double seconds = toMillis(Double.parseDouble(t.group(2)), t.group(3)) / 1000.0;
        Matcher n = NON2XX.matcher(text);
        long non2xx = n.find() ? Long.parseLong(n.group(1)) : 0;
        Matcher s = SOCKET.matcher(text);
        long socket = 0;
        if (s.find()) {
            for (int g = 1; g <= 4; g++) {
                socket += Long.parseLong(s.group(g));
            }
        }
        Map<String, Double> lat = new LinkedHashMap<>();
        Matcher p = PCT.matcher(text);
        while (p.find()) {
            lat.put("p" + p.group(1), toMillis(Double.parseDouble(p.group(2)), p.group(3)));
        }
        return new WrkResult(requests, seconds, non2xx, socket, lat);
    }

    private static double toMillis(double v, String unit) {
        return switch (unit) {
            case "us" -> v / 1000.0;
            case "ms" -> v;
            case "s" -> v * 1000.0;
            case "m" -> v * 60_000.0;
            default -> throw new IllegalArgumentException(unit);
        };
    }
}
