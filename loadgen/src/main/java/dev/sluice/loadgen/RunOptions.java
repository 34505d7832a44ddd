package dev.sluice.loadgen;

import dev.sluice.core.Durations;
import dev.sluice.testkit.DevSecure;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import java.util.function.ObjDoubleConsumer;
import java.util.function.ObjIntConsumer;

/**
 * Everything a run, a knee search or a gate is told on the command line. Every field has a
 * default; {@link #parse} names the flag in its errors.
 *
 * @param e2e             measure through the executor to the generator's own receiver (else the router's ack only)
 * @param rate            events per second (the first step of a knee search)
 * @param duration        measured time at that rate (after the warmup)
 * @param warmup          time at the starting rate before measuring
 * @param schedule        a rate schedule that replaces rate and duration, or null
 * @param connections     HTTP connections to the router (HTTP/1.1, no pipelining) or HTTP/2 connections
 * @param http2           HTTP/2 over cleartext with prior knowledge
 * @param batch           events per request: 1 posts single events; more post NDJSON batches to {@code <source>/batch}
 * @param payloadBytes    request body size
 * @param keys            distinct {@code X-Key} header values, cycled
 * @param target          the ingest URL
 * @param self            start {@code <root>/sluice dev} as a child process and measure it
 * @param root            the repository root (where {@code ./sluice} is)
 * @param out             the report directory
 * @param findKnee        sweep the rate upward to the knee
 * @param kneeFactor      rate multiplier between knee steps
 * @param kneeMaxSteps    the most steps a knee search takes
 * @param p99Bound        the knee's latency bound on ack p99 (and, with e2e, on ingest→start p99)
 * @param executorMetrics the executor's Prometheus URL (accounting for expired and dead-lettered events)
 * @param ttl             the route's TTL (an arrival after ingest + TTL is a late start)
 * @param webhookDelay    how long the receiver takes to answer each workflow call
 * @param receiverPort    the receiver's port (0: any free port)
 * @param timeout         a request with no response for this long counts as a timeout error
 * @param drain           the longest wait, after sending, for acknowledged events to be executed or accounted for
 *                        (default TTL + 30 s: by then every event has run or expired, unless the executor is stuck)
 * @param loops           the generator's event loops (senders and receiver)
 * @param childJavaOpts   SLUICE_JAVA_OPTS for the {@code --self} child (e.g. a JFR recording), or null to inherit
 * @param jfr             record a JFR profile of the {@code --self} child(ren) from start to exit, into {@code <out>/jfr/}
 * @param receiverPauseAt with {@code receiverPause}: when, after the measured window opens, the receiver stalls
 * @param receiverPause   a stall injected into the receiver: it neither records nor answers for this long
 * @param selfWarmup      with {@code --self}: an unmeasured priming run (a ramp to the rate) right after the child
 *                        starts, then 10 s steps while its JIT compilers are still busy, so both JVMs are compiled
 *                        before anything is measured (0 to skip)
 * @param split           with {@code --self}: Kafka, {@code sluice router} and {@code sluice executor} as three processes
 *                        instead of {@code sluice dev}, so each role's CPU is measured apart (router-only: no executor)
 * @param direct          with {@code --self --e2e}: the generator produces the events straight to the dev stack's Kafka,
 *                        stamped as the router stamps them, and the router stays idle: the executor (Redis claims and
 *                        the PostgreSQL run log on, as in {@code sluice dev}) measured without the HTTP edge's CPU
 * @param apiKey          sent as {@code Authorization: Bearer <apiKey>} on every request, or null
 * @param signSecret      sign every request with Sluice's scheme ({@code Sluice-Signature: t=<unix>,v1=<hex HMAC-SHA256
 *                        of t + "." + body>}), or null; each body then differs (the router refuses a replayed signature)
 * @param idempotency     a fresh {@code Idempotency-Key} on every request, so each takes the router's Redis claim
 * @param secure          with {@code --self}: measure the dev stack's {@code demo-secure} source (API key, signature and
 *                        fail-closed idempotency all on), with its dev key and secret unless given
 * @param randomPad       over MQTT: every publish's padding is fresh random hex, so no two payloads share it and
 *                        producer compression meets data as incompressible as wrk's random bodies
 */
public record RunOptions(
        boolean e2e,
        double rate,
        Duration duration,
        Duration warmup,
        String schedule,
        int connections,
        boolean http2,
        int batch,
        int payloadBytes,
        int keys,
        String target,
        boolean self,
        Path root,
        Path out,
        boolean findKnee,
        double kneeFactor,
        int kneeMaxSteps,
        Duration p99Bound,
        String executorMetrics,
        Duration ttl,
        Duration webhookDelay,
        int receiverPort,
        Duration timeout,
        Duration drain,
        int loops,
        String childJavaOpts,
        boolean jfr,
        Duration receiverPauseAt,
        Duration receiverPause,
        Duration selfWarmup,
        boolean split,
        boolean direct,
        String apiKey,
        String signSecret,
        boolean idempotency,
        boolean secure,
        boolean rawH2,
        boolean webhookH2,
        String mqtt,
        int qos,
        boolean randomPad) {

    public static final String DEFAULT_TARGET = "http://127.0.0.1:8080/v1/events/demo";
    public static final String DEFAULT_EXECUTOR_METRICS = "http://127.0.0.1:8082/metrics";

    public static RunOptions defaults() {
        return new Builder().build();
    }

    static Path defaultOut() {
        return Path.of("bench-results", LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")));
    }

    /** The flags of {@code run} and {@code gate}. */
    public static final String USAGE = String.join(
            "\n",
            "  --router-only | --e2e     measure the router's 202 only (default), or through the executor to the receiver",
            "  --rate N                  events per second (default 1000)",
            "  --duration 30s            measured time; --warmup 5s before it",
            "  --schedule SPEC           e.g. steady:5000:30s,burst:50000:5s,ramp:1000-20000:30s,pause:2s (replaces --rate/--duration)",
            "  --connections 64          HTTP/1.1 connections (no pipelining); with --http2, HTTP/2 connections (h2c prior knowledge)",
            "  --webhook-h2              with --self --e2e: the workflow calls the receiver over HTTP/2 (h2c), not HTTP/1.1",
            "  --raw-h2                  HTTP/2 (h2c prior knowledge) on Netty's HTTP/2 codec instead of the Vert.x client:",
            "                            the same requests for far less of the generator's CPU (--connections HTTP/2 connections)",
            "  --payload 200             body bytes;  --keys 1000  distinct X-Key values;  --batch N  events per request (NDJSON to <source>/batch)",
            "  --target URL              default " + DEFAULT_TARGET,
            "  --self                    start <root>/sluice dev as a child process on free ports (--root DIR, default .),",
            "                            then prime it unmeasured: --self-warmup 30s (a ramp to the rate), then 10 s steps until",
            "                            its JIT compilers go quiet (at most 2 min);",
            "                            with --split: Kafka, `sluice router` and (with --e2e) `sluice executor` as separate processes;",
            "                            with --direct (and --e2e): the generator produces straight to sluice dev's Kafka and its",
            "                            router stays idle: the executor (claims, run log) measured without the HTTP edge",
            "  --executor-metrics URL    default " + DEFAULT_EXECUTOR_METRICS + " (with --self: the child's)",
            "  --out DIR                 default bench-results/<timestamp>",
            "  --find-knee               step the rate up by --knee-factor 1.5 until achieved < 95% of asked or p99 > --p99-bound 50ms",
            "  --ttl 20s  --webhook-delay 0ms  --receiver-port 0  --timeout 10s  --drain TTL+30s  --loops 2",
            "  --child-java-opts OPTS    SLUICE_JAVA_OPTS for the --self child;  --jfr  profile the child(ren) into <out>/jfr/",
            "                            (then: sluice bench jfr-top <out>/jfr/FILE.jfr <out>  for the measured window)",
            "  --receiver-pause 3s --receiver-pause-at 1s   stall the receiver (fault injection for the gate)",
            "  --api-key KEY             Authorization: Bearer KEY on every request",
            "  --sign-secret SECRET      Sluice-Signature (t=<unix>,v1=HMAC-SHA256 of t.body) on every request; bodies made unique",
            "  --idempotency             a unique Idempotency-Key per request (every request takes the Redis dedup claim)",
            "  --secure                  with --self: target the dev stack's demo-secure source (key + signature + fail-closed",
            "                            idempotency), with its published dev key and secret: the A side of the >=70% check",
            "  --mqtt tcp://HOST:PORT    publish over MQTT 3.1.1 instead of HTTP (--mqtt self with --self: the child's MQTT port),",
            "                            --connections devices, each on devices/load-<n>/telemetry, spread over --loops event loops;",
            "                            --api-key is the CONNECT password; --qos 1 (PUBACK once in Kafka; the default) or 0;",
            "                            --random-pad: fresh random hex in every payload's padding (what compression would face)");

    public static RunOptions parse(List<String> args) {
        Map<String, String> f = new LinkedHashMap<>();
        List<String> flags = new ArrayList<>();
        for (int i = 0; i < args.size(); i++) {
            String a = args.get(i);
            if (!a.startsWith("--")) {
                throw new IllegalArgumentException("unexpected argument '" + a + "'");
            }
            String name = a.substring(2);
            String value = null;
            int eq = name.indexOf('=');
            if (eq >= 0) {
                value = name.substring(eq + 1);
                name = name.substring(0, eq);
            }
            if (BOOLEAN.containsKey(name)) {
                if (value != null) {
                    throw new IllegalArgumentException("--" + name + " takes no value");
                }
                flags.add(name);
                continue;
            }
            if (!VALUED.containsKey(name)) {
                throw new IllegalArgumentException("unknown flag --" + name);
            }
            if (value == null) {
                if (i + 1 >= args.size()) {
                    throw new IllegalArgumentException("--" + name + " needs a value");
                }
                value = args.get(++i);
            }
            f.put(name, value);
        }
        if (flags.contains("e2e") && flags.contains("router-only")) {
            throw new IllegalArgumentException("--e2e and --router-only exclude each other");
        }
        Builder b = new Builder();
        // Flags first, in the order of the table: --secure's dev key and secret yield to a given --api-key
        // and --sign-secret, which the valued options below set.
        BOOLEAN.forEach((name, set) -> {
            if (flags.contains(name)) {
                set.accept(b);
            }
        });
        try {
            VALUED.forEach((name, set) -> {
                if (f.containsKey(name)) {
                    set.accept(b, f.get(name));
                }
            });
            if (!f.containsKey("drain")) {
                b.drain = b.ttl.plusSeconds(30);
            }
            RunOptions r = b.build();
            r.validate();
            return r;
        } catch (dev.sluice.core.ConfigException e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        }
    }

    /** The flags that take no value, and what each sets. */
    private static final Map<String, Consumer<Builder>> BOOLEAN = table(
            Map.entry("e2e", b -> b.e2e = true),
            Map.entry("router-only", b -> b.e2e = false),
            Map.entry("http2", b -> b.http2 = true),
            Map.entry("self", b -> b.self = true),
            Map.entry("find-knee", b -> b.findKnee = true),
            Map.entry("jfr", b -> b.jfr = true),
            Map.entry("split", b -> b.split = true),
            Map.entry("direct", b -> b.direct = true),
            Map.entry("idempotency", b -> b.idempotency = true),
            Map.entry("secure", b -> {
                b.secure = true;
                b.idempotency = true;
                b.apiKey = DevSecure.API_KEY;
                b.signSecret = DevSecure.SIGNING_SECRET;
            }),
            Map.entry("raw-h2", b -> b.rawH2 = true),
            Map.entry("webhook-h2", b -> b.webhookH2 = true),
            Map.entry("random-pad", b -> b.randomPad = true));

    /** The flags that take a value, in the order they are read (the first bad one is the error), and where each goes. */
    private static final Map<String, BiConsumer<Builder, String>> VALUED = table(
            number("rate", (b, v) -> b.rate = v),
            duration("duration", (b, v) -> b.duration = v),
            duration("warmup", (b, v) -> b.warmup = v),
            Map.entry("schedule", (b, v) -> b.schedule = v),
            integer("connections", (b, v) -> b.connections = v),
            integer("batch", (b, v) -> b.batch = v),
            integer("payload", (b, v) -> b.payloadBytes = v),
            integer("keys", (b, v) -> b.keys = v),
            Map.entry("target", (b, v) -> b.target = v),
            Map.entry("root", (b, v) -> b.root = Path.of(v)),
            Map.entry("out", (b, v) -> b.out = Path.of(v)),
            number("knee-factor", (b, v) -> b.kneeFactor = v),
            integer("knee-max-steps", (b, v) -> b.kneeMaxSteps = v),
            duration("p99-bound", (b, v) -> b.p99Bound = v),
            Map.entry("executor-metrics", (b, v) -> b.executorMetrics = v),
            duration("ttl", (b, v) -> b.ttl = v),
            duration("webhook-delay", (b, v) -> b.webhookDelay = v),
            integer("receiver-port", (b, v) -> b.receiverPort = v),
            duration("timeout", (b, v) -> b.timeout = v),
            duration("drain", (b, v) -> b.drain = v),
            integer("loops", (b, v) -> b.loops = v),
            Map.entry("child-java-opts", (b, v) -> b.childJavaOpts = v),
            duration("receiver-pause-at", (b, v) -> b.receiverPauseAt = v),
            duration("receiver-pause", (b, v) -> b.receiverPause = v),
            duration("self-warmup", (b, v) -> b.selfWarmup = v),
            Map.entry("api-key", (b, v) -> b.apiKey = v),
            Map.entry("sign-secret", (b, v) -> b.signSecret = v),
            Map.entry("mqtt", (b, v) -> b.mqtt = v),
            integer("qos", (b, v) -> b.qos = v));

    @SafeVarargs
    private static <V> Map<String, V> table(Map.Entry<String, V>... entries) {
        Map<String, V> m = new LinkedHashMap<>();
        for (Map.Entry<String, V> e : entries) {
            m.put(e.getKey(), e.getValue());
        }
        return Collections.unmodifiableMap(m);
    }

    private static Map.Entry<String, BiConsumer<Builder, String>> number(String name, ObjDoubleConsumer<Builder> set) {
        return Map.entry(name, (b, v) -> {
            try {
                set.accept(b, Double.parseDouble(v.replace("_", "")));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("--" + name + " must be a number, got '" + v + "'", e);
            }
        });
    }

    private static Map.Entry<String, BiConsumer<Builder, String>> integer(String name, ObjIntConsumer<Builder> set) {
        return Map.entry(name, (b, v) -> {
            try {
                set.accept(b, Integer.parseInt(v.replace("_", "")));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("--" + name + " must be an integer, got '" + v + "'", e);
            }
        });
    }

    private static Map.Entry<String, BiConsumer<Builder, String>> duration(
            String name, BiConsumer<Builder, Duration> set) {
        return Map.entry(name, (b, v) -> set.accept(b, Durations.parse(v)));
    }

    private void validate() {
        if (rate <= 0 && schedule == null) {
            throw new IllegalArgumentException("--rate must be positive");
        }
        if (connections < 1 || payloadBytes < 0 || keys < 1 || loops < 1) {
            throw new IllegalArgumentException(
                    "--connections, --keys and --loops must be at least 1, --payload at least 0");
        }
        if (batch < 1 || batch > 1000) {
            throw new IllegalArgumentException(
                    "--batch must be 1 (single events) to 1000 (the default maxBatchEvents of a route)");
        }
        if (direct && split) {
            throw new IllegalArgumentException(
                    "--direct runs sluice dev (for its Redis and PostgreSQL); leave out --split");
        }
        if (direct && !(self && e2e)) {
            throw new IllegalArgumentException("--direct goes with --self --e2e (it measures the executor alone)");
        }
        if (direct && batch != 1) {
            throw new IllegalArgumentException("--direct produces records one by one; --batch is for the HTTP edge");
        }
        if (secure && !self) {
            throw new IllegalArgumentException(
                    "--secure goes with --self (it targets the dev stack's demo-secure source); "
                            + "against another Sluice, give --target, --api-key, --sign-secret and --idempotency");
        }
        if (direct && (apiKey != null || signSecret != null || idempotency)) {
            throw new IllegalArgumentException(
                    "--direct bypasses the router; --api-key, --sign-secret, --idempotency and --secure are for the HTTP edge");
        }
        if (batch != 1 && (signSecret != null || idempotency)) {
            throw new IllegalArgumentException(
                    "--sign-secret and --idempotency make each single-event request unique; use them with --batch 1");
        }
        if (signSecret != null && signSecret.isEmpty() || apiKey != null && apiKey.isBlank()) {
            throw new IllegalArgumentException("--api-key and --sign-secret must not be empty");
        }
        if (split && !self) {
            throw new IllegalArgumentException("--split goes with --self");
        }
        if (rawH2 && (http2 || direct)) {
            throw new IllegalArgumentException("--raw-h2 is its own HTTP/2 client: leave out --http2 and --direct");
        }
        validateMqtt();
        if (kneeFactor <= 1) {
            throw new IllegalArgumentException("--knee-factor must be above 1");
        }
        if (schedule != null) {
            RateSchedule.parse(schedule);
        }
    }

    private void validateMqtt() {
        if (mqtt == null) {
            if (qos != 1 || randomPad) {
                throw new IllegalArgumentException("--qos and --random-pad go with --mqtt");
            }
            return;
        }
        if (mqtt.equals("self") != self || !self && !mqtt.startsWith("tcp://")) {
            throw new IllegalArgumentException(
                    "--mqtt takes tcp://host:port, or self with --self (the child's MQTT port); got '" + mqtt + "'"
                            + (self ? " with --self" : ""));
        }
        if (qos != 0 && qos != 1) {
            throw new IllegalArgumentException("--qos must be 0 or 1 (QoS 2 is not measured)");
        }
        if (qos == 0 && e2e) {
            throw new IllegalArgumentException(
                    "--e2e (and gate) over MQTT needs --qos 1: a QoS 0 publish is never acknowledged, "
                            + "so nothing is known to be accepted to account for");
        }
        if (batch != 1 || http2 || rawH2 || direct || split || signSecret != null || idempotency || secure) {
            throw new IllegalArgumentException(
                    "--mqtt publishes single events over MQTT: leave out --batch, --http2, --raw-h2, "
                            + "--direct, --split, --sign-secret, --idempotency and --secure");
        }
    }

    /** The measured schedule (without warmup). */
    public RateSchedule measuredSchedule() {
        return schedule != null ? RateSchedule.parse(schedule) : RateSchedule.steady(rate, duration);
    }

    public RunOptions withRate(double r) {
        return with(b -> {
            b.rate = r;
            b.schedule = null;
        });
    }

    public RunOptions withOut(Path dir) {
        return with(b -> b.out = dir);
    }

    public RunOptions withE2e(boolean on) {
        return with(b -> b.e2e = on);
    }

    public RunOptions withTarget(String ingestUrl, String metricsUrl) {
        return with(b -> {
            b.target = ingestUrl;
            b.executorMetrics = metricsUrl;
        });
    }

    /**
     * An unmeasured priming run, no warmup: a ramp from a tenth of the rate to the rate over
     * {@code d}; for a zero {@code d}, 10 s steady at the rate.
     */
    public RunOptions priming(Duration d) {
        long ms = d.toMillis();
        String r = RateSchedule.fmt(Math.round(rate));
        String spec = ms == 0
                ? "steady:" + r + ":10s"
                : "ramp:" + RateSchedule.fmt(Math.max(1, Math.round(rate / 10))) + "-" + r + ":" + (ms * 2 / 3)
                        + "ms,steady:" + r + ":" + (ms - ms * 2 / 3) + "ms";
        return with(b -> {
            b.warmup = Duration.ZERO;
            b.schedule = spec;
            b.jfr = false;
            b.receiverPauseAt = Duration.ZERO;
            b.receiverPause = Duration.ZERO;
            b.selfWarmup = Duration.ZERO;
        });
    }

    /** These options with {@code change} made to a copy of every field. */
    RunOptions with(Consumer<Builder> change) {
        Builder b = new Builder(this);
        change.accept(b);
        return b.build();
    }

    /**
     * Every field of {@link RunOptions}, mutable, starting from the defaults: the one place besides the
     * record itself that lists them all, so parsing and each variant name only what they change.
     */
    static final class Builder {
        boolean e2e;
        double rate = 1000;
        Duration duration = Duration.ofSeconds(30);
        Duration warmup = Duration.ofSeconds(5);
        String schedule;
        int connections = 64;
        boolean http2;
        int batch = 1;
        int payloadBytes = 200;
        int keys = 1000;
        String target = DEFAULT_TARGET;
        boolean self;
        Path root = Path.of(".");
        Path out = defaultOut();
        boolean findKnee;
        double kneeFactor = 1.5;
        int kneeMaxSteps = 12;
        Duration p99Bound = Duration.ofMillis(50);
        String executorMetrics = DEFAULT_EXECUTOR_METRICS;
        Duration ttl = Duration.ofSeconds(20);
        Duration webhookDelay = Duration.ZERO;
        int receiverPort;
        Duration timeout = Duration.ofSeconds(10);
        Duration drain = Duration.ofSeconds(50);
        int loops = Math.min(2, Runtime.getRuntime().availableProcessors());
        String childJavaOpts;
        boolean jfr;
        Duration receiverPauseAt = Duration.ZERO;
        Duration receiverPause = Duration.ZERO;
        Duration selfWarmup = Duration.ofSeconds(30);
        boolean split;
        boolean direct;
        String apiKey;
        String signSecret;
        boolean idempotency;
        boolean secure;
        boolean rawH2;
        boolean webhookH2;
        String mqtt;
        int qos = 1;
        boolean randomPad;

        Builder() {}

        Builder(RunOptions o) {
            e2e = o.e2e;
            rate = o.rate;
            duration = o.duration;
            warmup = o.warmup;
            schedule = o.schedule;
            connections = o.connections;
            http2 = o.http2;
            batch = o.batch;
            payloadBytes = o.payloadBytes;
            keys = o.keys;
            target = o.target;
            self = o.self;
            root = o.root;
            out = o.out;
            findKnee = o.findKnee;
            kneeFactor = o.kneeFactor;
            kneeMaxSteps = o.kneeMaxSteps;
            p99Bound = o.p99Bound;
            executorMetrics = o.executorMetrics;
            ttl = o.ttl;
            webhookDelay = o.webhookDelay;
            receiverPort = o.receiverPort;
            timeout = o.timeout;
            drain = o.drain;
            loops = o.loops;
            childJavaOpts = o.childJavaOpts;
            jfr = o.jfr;
            receiverPauseAt = o.receiverPauseAt;
            receiverPause = o.receiverPause;
            selfWarmup = o.selfWarmup;
            split = o.split;
            direct = o.direct;
            apiKey = o.apiKey;
            signSecret = o.signSecret;
            idempotency = o.idempotency;
            secure = o.secure;
            rawH2 = o.rawH2;
            webhookH2 = o.webhookH2;
            mqtt = o.mqtt;
            qos = o.qos;
            randomPad = o.randomPad;
        }

        RunOptions build() {
            return new RunOptions(
                    e2e,
                    rate,
                    duration,
                    warmup,
                    schedule,
                    connections,
                    http2,
                    batch,
                    payloadBytes,
                    keys,
                    target,
                    self,
                    root,
                    out,
                    findKnee,
                    kneeFactor,
                    kneeMaxSteps,
                    p99Bound,
                    executorMetrics,
                    ttl,
                    webhookDelay,
                    receiverPort,
                    timeout,
                    drain,
                    loops,
                    childJavaOpts,
                    jfr,
                    receiverPauseAt,
                    receiverPause,
                    selfWarmup,
                    split,
                    direct,
                    apiKey,
                    signSecret,
                    idempotency,
                    secure,
                    rawH2,
                    webhookH2,
                    mqtt,
                    qos,
                    randomPad);
        }
    }

    /** The settings without the API key and signing secret (which {@link #describe} leaves out too). */
    @Override
    public String toString() {
        return "RunOptions" + describe();
    }

    /** The settings a summary records, so a result can be reproduced. */
    public Map<String, Object> describe() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("mode", e2e ? "e2e" : "router-only");
        m.put("schedule", measuredSchedule().toString());
        m.put("warmup", Durations.format(warmup));
        m.put("connections", connections);
        m.put(
                "protocol",
                mqtt != null ? "mqtt 3.1.1 qos " + qos : rawH2 ? "h2c (netty frames)" : http2 ? "h2c" : "http/1.1");
        if (e2e) {
            m.put("webhookProtocol", webhookH2 ? "h2c" : "http/1.1");
        }
        m.put("payloadBytes", payloadBytes);
        if (randomPad) {
            m.put("payload", "random hex padding per publish");
        }
        m.put("keys", keys);
        m.put("target", mqtt != null && !self ? mqtt : target);
        m.put(
                "self",
                self
                        ? (direct
                                ? "sluice dev, events produced straight to its kafka (router idle)"
                                : split ? "split: kafka, sluice router, sluice executor" : "sluice dev")
                        : "no");
        m.put("ttl", Durations.format(ttl));
        m.put("webhookDelay", Durations.format(webhookDelay));
        m.put("loops", loops);
        if (apiKey != null || signSecret != null || idempotency) {
            m.put(
                    "edgeChecks",
                    ((apiKey != null ? "api-key " : "")
                                    + (signSecret != null ? "signature " : "")
                                    + (idempotency ? "idempotency-key" : ""))
                            .trim());
        }
        if (!receiverPause.isZero()) {
            m.put("receiverPause", Durations.format(receiverPause) + " at +" + Durations.format(receiverPauseAt));
        }
        return m;
    }
}
