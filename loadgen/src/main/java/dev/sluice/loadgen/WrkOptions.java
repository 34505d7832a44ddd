package dev.sluice.loadgen;

import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The flags of {@code sluice bench wrk}, parsed and checked. */
record WrkOptions(
        int connections,
        int threads,
        Duration duration,
        Duration warmup,
        int payload,
        int batch,
        Path root,
        Path out,
        String childJavaOpts,
        boolean lean,
        boolean fixedBody,
        boolean h2load,
        int streams,
        boolean h1) {

    static final String USAGE = String.join(
            "\n",
            "usage: sluice bench wrk [flags]     (needs wrk on the PATH: apt-get install wrk)",
            "  --connections 512  --threads 1  --duration 30s  --warmup 20s  --payload 200",
            "  --batch N            events per request (NDJSON to <source>/batch); default 1 (single events)",
            "  --lean               drive the leanest Vert.x produce-and-202 handler instead of sluice router (the yardstick)",
            "  --static             one body for every request, set once (wrk.body): no Lua per request, so wrk costs",
            "                       far less CPU; bodies repeat, so do not use it to measure compression",
            "  --driver wrk|h2load  h2load (apt-get install nghttp2-client) speaks HTTP/2 over cleartext (prior knowledge),",
            "                       --streams requests in flight per connection; it always sends one static body",
            "  --streams 1          with h2load: concurrent streams per connection (with --h1: pipelined requests)",
            "  --h1                 with h2load: HTTP/1.1 instead of HTTP/2",
            "  --root DIR           the repository whose ./sluice runs the router (default .)",
            "  --out DIR            default bench-results/wrk-<timestamp>",
            "  --child-java-opts OPTS  SLUICE_JAVA_OPTS for the router");

    String driverName() {
        return h2load ? (h1 ? "h2load --h1" : "h2load (h2c)") : "wrk";
    }

    static WrkOptions parse(List<String> args) {
        Map<String, String> v = new LinkedHashMap<>(Map.of(
                "connections",
                "512",
                "threads",
                "1",
                "duration",
                "30s",
                "warmup",
                "20s",
                "payload",
                "200",
                "batch",
                "1",
                "root",
                ".",
                "driver",
                "wrk",
                "streams",
                "1"));
        boolean lean = false;
        boolean fixedBody = false;
        boolean h1 = false;
        for (int i = 0; i < args.size(); i++) {
            String a = args.get(i);
            if (a.equals("--h1")) {
                h1 = true;
                continue;
            }
            if (a.equals("--lean")) {
                lean = true;
                continue;
            }
            if (a.equals("--static")) {
                fixedBody = true;
                continue;
            }
            if (!a.startsWith("--") || i + 1 >= args.size()) {
                throw new IllegalArgumentException("expected --flag value, got '" + a + "'");
            }
            String name = a.substring(2);
            if (!java.util.Set.of(
                            "connections",
                            "threads",
                            "duration",
                            "warmup",
                            "payload",
                            "batch",
                            "root",
                            "out",
                            "child-java-opts",
                            "driver",
                            "streams")
                    .contains(name)) {
                throw new IllegalArgumentException("unknown flag " + a);
            }
            v.put(name, args.get(++i));
        }
        Path out = v.containsKey("out")
                ? Path.of(v.get("out"))
                : Path.of(
                        "bench-results",
                        "wrk-" + LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")));
        WrkOptions o = new WrkOptions(
                integer(v, "connections"),
                integer(v, "threads"),
                dev.sluice.core.Durations.parse(v.get("duration")),
                dev.sluice.core.Durations.parse(v.get("warmup")),
                integer(v, "payload"),
                integer(v, "batch"),
                Path.of(v.get("root")),
                out,
                v.get("child-java-opts"),
                lean,
                fixedBody || v.get("driver").equals("h2load"),
                v.get("driver").equals("h2load"),
                integer(v, "streams"),
                h1);
        if (!List.of("wrk", "h2load").contains(v.get("driver"))) {
            throw new IllegalArgumentException("--driver is wrk or h2load, got '" + v.get("driver") + "'");
        }
        if (!o.h2load() && (o.streams() != 1 || o.h1())) {
            throw new IllegalArgumentException("--streams and --h1 go with --driver h2load");
        }
        if (o.streams() < 1) {
            throw new IllegalArgumentException("--streams must be ≥ 1");
        }
        if (o.connections() < 1
                || o.threads() < 1
                || o.threads() > o.connections()
                || o.payload() < 2
                || o.batch() < 1
                || o.batch() > 1000
                || o.duration().toSeconds() < 1) {
            throw new IllegalArgumentException(
                    "need --connections ≥ --threads ≥ 1, --payload ≥ 2, --batch 1..1000, --duration ≥ 1s");
        }
        if (o.lean() && o.batch() > 1) {
            throw new IllegalArgumentException(
                    "--lean takes single events only (it produces each request's body as one record)");
        }
        return o;
    }

    private static int integer(Map<String, String> v, String name) {
        try {
            return Integer.parseInt(v.get(name));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--" + name + " must be an integer, got '" + v.get(name) + "'", e);
        }
    }
}
