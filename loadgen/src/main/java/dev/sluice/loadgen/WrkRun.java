package dev.sluice.loadgen;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.common.TopicPartition;

/**
 * {@code sluice bench wrk}: the router's saturation throughput, driven by {@code wrk} (closed
 * loop, many connections, a few dozen microseconds of CPU per request less than the Java
 * generator). Starts Kafka and {@code sluice router} as separate processes, primes the router
 * until its JIT compilers go quiet, then runs {@code wrk} once more for the measured window and
 * reports requests/s, wrk's latency percentiles (service time of a closed loop, not the
 * open-loop latency the generator reports), each process's CPU per request, and how many
 * records the topic grew by against how many 202s wrk saw.
 */
public final class WrkRun {

    public static final String USAGE = String.join(
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

    record Options(
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

        String driverName() {
            return h2load ? (h1 ? "h2load --h1" : "h2load (h2c)") : "wrk";
        }
    }

    /** What one wrk run printed, parsed. */
    record WrkResult(long requests, double seconds, long non2xx, long socketErrors, Map<String, Double> latencyMillis) {
        double perSecond() {
            return seconds > 0 ? requests / seconds : 0;
        }
    }

    private WrkRun() {}

    static Options parse(List<String> args) {
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
        Options o = new Options(
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

    /** Distinct events the script prepares (cycled through): enough that no produce batch sees a body twice. */
    static final int DISTINCT_EVENTS = 100_000;

    /**
     * The wrk script. Each event is a JSON object of the asked size holding random hex digits, so
     * payloads do not compress (lz4 has no entropy coding), and no two events in reach of one
     * produce batch are alike; the bodies are built once per wrk thread and cycled through.
     */
    static String script(int payload, int batch) {
        int fill = Math.max(0, payload - "{\"v\":\"\"}".length());
        int bodies = Math.max(10, DISTINCT_EVENTS / batch);
        String type = batch == 1 ? "application/json" : "application/x-ndjson";
        return String.join(
                "\n",
                "wrk.method = \"POST\"",
                "wrk.headers[\"Content-Type\"] = \"" + type + "\"",
                "local bodies = {}",
                "local count = " + bodies,
                "local hex = \"0123456789abcdef\"",
                "function init(args)",
                "  math.randomseed(os.time() + tonumber(tostring({}):match(\"0x(%x+)\") or \"0\", 16))",
                "  for i = 1, count do",
                "    local events = {}",
                "    for e = 1, " + batch + " do",
                "      local t = {}",
                "      for c = 1, " + fill + " do local r = math.random(16); t[c] = hex:sub(r, r) end",
                "      events[e] = '{\"v\":\"' .. table.concat(t) .. '\"}'",
                "    end",
                "    bodies[i] = table.concat(events, \"\\n\")" + (batch > 1 ? " .. \"\\n\"" : ""),
                "  end",
                "end",
                "local n = 0",
                "function request()",
                "  n = n % count + 1",
                "  return wrk.format(nil, nil, nil, bodies[n])",
                "end",
                "");
    }

    private static final Pattern TOTAL = Pattern.compile("(\\d+) requests in ([0-9.]+)(us|ms|s|m)");
    private static final Pattern NON2XX = Pattern.compile("Non-2xx or 3xx responses: (\\d+)");
    private static final Pattern SOCKET =
            Pattern.compile("Socket errors: connect (\\d+), read (\\d+), write (\\d+), timeout (\\d+)");
    private static final Pattern PCT =
            Pattern.compile("^\\s*(50|75|90|99)%\\s+([0-9.]+)(us|ms|s)\\s*$", Pattern.MULTILINE);

    /**
     * The {@code --static} script: one body of the asked size, set once, so wrk formats the request
     * a single time and sends the same bytes on every request (no Lua call per request).
     */
    static String staticScript(int payload, int batch) {
        String type = batch == 1 ? "application/json" : "application/x-ndjson";
        String body = staticBody(payload, batch).replace("\"", "\\\"").replace("\n", "\\n");
        return String.join(
                "\n",
                "wrk.method = \"POST\"",
                "wrk.headers[\"Content-Type\"] = \"" + type + "\"",
                "wrk.body = \"" + body + "\"",
                "");
    }

    /** One event of the asked size (a JSON object of fixed pseudo-random hex digits), or a batch of it as NDJSON. */
    static String staticBody(int payload, int batch) {
        int fill = Math.max(0, payload - "{\"v\":\"\"}".length());
        StringBuilder event = new StringBuilder("{\"v\":\"");
        String hex = "0123456789abcdef";
        java.util.Random r = new java.util.Random(1);
        for (int c = 0; c < fill; c++) {
            event.append(hex.charAt(r.nextInt(16)));
        }
        event.append("\"}");
        return batch == 1 ? event.toString() : (event + "\n").repeat(batch);
    }

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
    static WrkResult parseOutput(String text) {
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

    public static int run(List<String> args, PrintStream out) throws Exception {
        Options o = parse(args);
        Files.createDirectories(o.out());
        Path lua = o.out().toAbsolutePath().resolve("post.lua");
        Files.writeString(
                lua,
                o.fixedBody() ? staticScript(o.payload(), o.batch()) : script(o.payload(), o.batch()),
                StandardCharsets.UTF_8);
        if (o.h2load()) {
            // h2load posts a file's bytes; the same event the static wrk script carries.
            Files.writeString(lua.resolveSibling("body"), staticBody(o.payload(), o.batch()), StandardCharsets.UTF_8);
        }
        out.println("starting Kafka and "
                + (o.lean() ? "the lean yardstick" : o.root().resolve("sluice") + " router") + " (logs in " + o.out()
                + ") ...");
        try (WrkStack stack = o.lean()
                ? WrkStack.lean(o.childJavaOpts(), o.out())
                : WrkStack.of(SplitStack.start(
                        o.root(),
                        "http://127.0.0.1:9/unused",
                        false,
                        o.childJavaOpts(),
                        o.out(),
                        Duration.ofMinutes(5),
                        false,
                        false))) {
            String url = stack.ingestUrl() + (o.batch() > 1 ? "/batch" : "");
            out.println("router ready: " + url);
            Duration chunk = Duration.ofSeconds(10);
            wrk(o, lua, url, o.warmup(), null);
            for (int i = 0; i < 12; i++) {
                double before = ProcessCpu.compilerSeconds(stack.profiledJvms());
                wrk(o, lua, url, chunk, null);
                double compiled = ProcessCpu.compilerSeconds(stack.profiledJvms()) - before;
                out.printf(Locale.ROOT, "priming: JIT compilers used %.2f s of CPU in the last 10 s%n", compiled);
                if (compiled < 0.5) {
                    break;
                }
            }
            long recordsBefore = endOffsets(stack.bootstrapServers(), "sluice.demo");
            List<ProcessHandle> procs = stack.processes();
            Map<Long, ProcessCpu.Proc> cpuBefore = ProcessCpu.snapshot(procs);
            Instant from = Instant.now();
            long[] wrkCpu = new long[1];
            String text = wrk(o, lua, url, o.duration(), wrkCpu);
            Instant to = Instant.now();
            Map<String, Double> cpu = ProcessCpu.deltaByName(cpuBefore, ProcessCpu.snapshot(procs));
            cpu.put(o.h2load() ? "h2load" : "wrk", wrkCpu[0] / 1e9);
            Files.writeString(o.out().resolve(o.h2load() ? "h2load.txt" : "wrk.txt"), text, StandardCharsets.UTF_8);
            WrkResult r = o.h2load() ? parseH2load(text) : parseOutput(text);
            long accepted = (r.requests() - r.non2xx()) * o.batch();
            // The last acks land before wrk exits; give the broker's end offsets a moment to show them.
            StackLauncher.pause(500);
            long grown = endOffsets(stack.bootstrapServers(), "sluice.demo") - recordsBefore;
            String report = report(o, r, cpu, accepted, grown, from, to);
            Files.writeString(o.out().resolve("summary.txt"), report, StandardCharsets.UTF_8);
            out.print(report);
            return 0;
        }
    }

    static String report(
            Options o, WrkResult r, Map<String, Double> cpu, long accepted, long grown, Instant from, Instant to) {
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(
                Locale.ROOT,
                "%s -t%d -c%d%s -d%ds, %d-byte events, %s%s; window %s → %s%n",
                o.driverName(),
                o.threads(),
                o.connections(),
                o.h2load() ? " -m" + o.streams() : "",
                o.duration().toSeconds(),
                o.payload(),
                o.batch() == 1 ? "single events" : o.batch() + " per request",
                o.fixedBody() ? ", one static body" : ", distinct bodies",
                from,
                to));
        sb.append(String.format(
                Locale.ROOT,
                "requests: %,d in %.1f s = %,.0f requests/s = %,.0f events/s; non-2xx %d, socket errors %d%n",
                r.requests(),
                r.seconds(),
                r.perSecond(),
                r.perSecond() * o.batch(),
                r.non2xx(),
                r.socketErrors()));
        sb.append(o.h2load() ? "h2load" : "wrk")
                .append(" latency (closed loop: service time) ms: ")
                .append(r.latencyMillis().entrySet().stream()
                        .map(e -> e.getKey() + " " + e.getValue())
                        .collect(Collectors.joining(", ")))
                .append('\n');
        sb.append(String.format(
                Locale.ROOT, "events answered 202: %,d; records the topic grew by: %,d%n", accepted, grown));
        double events = Math.max(1, accepted);
        cpu.forEach((name, seconds) -> sb.append(String.format(
                Locale.ROOT, "cpu %-28s %7.2f s = %6.1f µs per event%n", name, seconds, seconds * 1e6 / events)));
        return sb.toString();
    }

    /** The driver's command line for one run of {@code d}. */
    static List<String> command(Options o, Path lua, String url, Duration d) {
        if (!o.h2load()) {
            return List.of(
                    "wrk",
                    "-t" + o.threads(),
                    "-c" + o.connections(),
                    "-d" + d.toSeconds() + "s",
                    "--timeout",
                    "10s",
                    "--latency",
                    "-s",
                    lua.toString(),
                    url);
        }
        List<String> cmd = new ArrayList<>(List.of(
                "h2load",
                "-t" + o.threads(),
                "-c" + o.connections(),
                "-m" + o.streams(),
                "-D" + d.toSeconds(),
                "-d",
                lua.resolveSibling("body").toString(),
                "-H",
                "content-type: " + (o.batch() == 1 ? "application/json" : "application/x-ndjson")));
        if (o.h1()) {
            cmd.add("--h1");
        }
        cmd.add(url);
        return cmd;
    }

    private static String wrk(Options o, Path lua, String url, Duration d, long[] cpuOut)
            throws IOException, InterruptedException {
        List<String> cmd = command(o, lua, url, d);
        Process p;
        try {
            p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        } catch (IOException e) {
            throw new IllegalStateException(
                    "cannot run " + cmd.get(0) + " (install it: apt-get install "
                            + (o.h2load() ? "nghttp2-client" : "wrk") + "): " + e.getMessage(),
                    e);
        }
        long reapedBefore = reapedChildrenCpuNanos();
        String text = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(d.toSeconds() + 60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IllegalStateException(cmd.get(0) + " did not finish");
        }
        if (cpuOut != null) {
            // wrk is the only child reaped in this window (the broker and the router run until the end).
            cpuOut[0] = reapedChildrenCpuNanos() - reapedBefore;
        }
        if (p.exitValue() != 0) {
            throw new IllegalStateException(cmd.get(0) + " exited with " + p.exitValue() + ":\n" + text);
        }
        return text;
    }

    /** CPU of this JVM's children that have exited and been waited for (cutime + cstime in /proc/self/stat). */
    static long reapedChildrenCpuNanos() {
        try {
            String stat = Files.readString(Path.of("/proc/self/stat"), StandardCharsets.UTF_8);
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).trim().split(" ");
            return (Long.parseLong(f[13]) + Long.parseLong(f[14])) * 10_000_000L;
        } catch (IOException | RuntimeException e) {
            return 0;
        }
    }

    private static long endOffsets(String bootstrap, String topic) {
        Properties p = new Properties();
        p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        try (Admin admin = Admin.create(p)) {
            var partitions = admin.describeTopics(List.of(topic))
                    .allTopicNames()
                    .get(30, TimeUnit.SECONDS)
                    .get(topic)
                    .partitions();
            Map<TopicPartition, OffsetSpec> q = new LinkedHashMap<>();
            partitions.forEach(tp -> q.put(new TopicPartition(topic, tp.partition()), OffsetSpec.latest()));
            return admin.listOffsets(q).all().get(30, TimeUnit.SECONDS).values().stream()
                    .mapToLong(x -> x.offset())
                    .sum();
        } catch (Exception e) {
            throw new IllegalStateException("cannot read " + topic + "'s end offsets: " + e.getMessage(), e);
        }
    }
}
