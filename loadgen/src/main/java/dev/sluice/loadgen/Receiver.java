package dev.sluice.loadgen;

import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The generator's own webhook target for end-to-end runs: the workflow's http step posts every
 * event here. Each arrival gives ingest → start, an upper bound measured as arrival time minus
 * the {@code ce-time} header (the router's ingest time, forwarded by the executor, in
 * milliseconds). One server instance per generator event loop, each with its own recorders and
 * id set (no sharing between threads).
 *
 * <p>A run can inject a stall: for a window the receiver neither records nor answers, and at the
 * end of the window it processes what it held as if it had arrived then — what the budget sees
 * when the workflow's first step cannot begin (a stalled executor or target).
 */
public final class Receiver {

    /** How the current run wants arrivals treated. */
    record Settings(
            long ttlMillis,
            long measureFromEpochMillis,
            long webhookDelayMillis,
            long pauseFromNanos,
            long pauseToNanos) {
        static final Settings IDLE = new Settings(20_000, Long.MAX_VALUE, 0, 0, 0);
    }

    /** What one server instance saw during one run; confined to its event loop. */
    static final class Tally {
        final SplitRecorder ingestToStart = new SplitRecorder();
        final SplitRecorder ingestToEnd = new SplitRecorder();
        final IdSet arrived = new IdSet();
        final AtomicLong arrivals = new AtomicLong();
        final AtomicLong unique = new AtomicLong();
        long duplicates;
        long lateStarts;
        long missingTime;
    }

    private final Vertx vertx;
    private final List<Instance> instances;
    private final int port;
    private volatile Settings settings = Settings.IDLE;

    private Receiver(Vertx vertx, List<Instance> instances, int port) {
        this.vertx = vertx;
        this.instances = instances;
        this.port = port;
    }

    /** Starts one server per event loop on {@code port} (0: a free one, shared by the instances). */
    public static Future<Receiver> start(Vertx vertx, String host, int port, int instances) {
        List<Instance> all = new CopyOnWriteArrayList<>();
        Receiver[] self = new Receiver[1];
        int fixedPort = port > 0 ? port : dev.sluice.testkit.Ports.freePort();
        return vertx.deployVerticle(
                        () -> {
                            Instance i = new Instance(host, fixedPort, () -> self[0]);
                            all.add(i);
                            return i;
                        },
                        new DeploymentOptions().setInstances(instances))
                .map(id -> {
                    self[0] = new Receiver(vertx, all, fixedPort);
                    return self[0];
                });
    }

    public int port() {
        return port;
    }

    public String url(String host) {
        return "http://" + host + ":" + port + "/hook";
    }

    /** Starts counting a new run: fresh recorders and id sets on every instance. */
    List<Tally> beginRun(Settings s) {
        List<Tally> tallies = new ArrayList<>();
        for (Instance i : instances) {
            Tally t = new Tally();
            i.tally = t;
            tallies.add(t);
        }
        settings = s;
        return tallies;
    }

    /** The instances' contexts, for a barrier before reading their tallies. */
    List<io.vertx.core.Context> contexts() {
        return instances.stream().map(i -> i.ctx()).toList();
    }

    Settings settings() {
        return settings;
    }

    Vertx vertx() {
        return vertx;
    }

    /** One server instance. */
    private static final class Instance extends VerticleBase {
        private final String host;
        private final int port;
        private final java.util.function.Supplier<Receiver> owner;
        private volatile Tally tally = new Tally();
        private HttpServer server;

        Instance(String host, int port, java.util.function.Supplier<Receiver> owner) {
            this.host = host;
            this.port = port;
            this.owner = owner;
        }

        io.vertx.core.Context ctx() {
            return context;
        }

        @Override
        public Future<?> start() {
            // HTTP/1.1, or HTTP/2 by prior knowledge (--webhook-h2), whose answers leave in coalesced flushes like
            // Sluice's.
            server = vertx.createHttpServer(
                            new HttpServerOptions().setTcpNoDelay(true).setHttp2ClearTextEnabled(true))
                    .connectionHandler(dev.sluice.core.http.Http2Flushes::coalesce)
                    .requestHandler(this::handle);
            return server.listen(port, host);
        }

        private void handle(HttpServerRequest req) {
            long arrivalMillis = System.currentTimeMillis();
            long now = System.nanoTime();
            Receiver r = owner.get();
            Settings s = r == null ? Settings.IDLE : r.settings;
            Tally t = tally;
            String ceTime = req.getHeader("ce-time");
            String ceId = req.getHeader("ce-id");
            req.body().onComplete(body -> {
                if (now >= s.pauseFromNanos() && now < s.pauseToNanos()) {
                    long waitMs = Math.max(1, (s.pauseToNanos() - now + 999_999) / 1_000_000);
                    vertx.setTimer(waitMs, id -> arrive(req, System.currentTimeMillis(), ceTime, ceId, s, t));
                } else {
                    arrive(req, arrivalMillis, ceTime, ceId, s, t);
                }
            });
        }

        private void arrive(
                HttpServerRequest req, long arrivalMillis, String ceTime, String ceId, Settings s, Tally t) {
            t.arrivals.incrementAndGet();
            long ingest = parse(ceTime);
            boolean measured = ingest >= s.measureFromEpochMillis();
            if (ingest < 0) {
                t.missingTime++;
            } else {
                t.ingestToStart.record((arrivalMillis - ingest) * 1000, measured);
                if (arrivalMillis > ingest + s.ttlMillis()) {
                    t.lateStarts++;
                }
            }
            Object id = Ids.of(ceId);
            if (id != null) {
                if (t.arrived.add(id)) {
                    t.unique.incrementAndGet();
                } else {
                    t.duplicates++;
                }
            }
            if (s.webhookDelayMillis() <= 0) {
                answer(req, ingest, measured, t);
            } else {
                vertx.setTimer(s.webhookDelayMillis(), x -> answer(req, ingest, measured, t));
            }
        }

        private static void answer(HttpServerRequest req, long ingest, boolean measured, Tally t) {
            req.response().setStatusCode(200).end();
            if (ingest >= 0) {
                t.ingestToEnd.record((System.currentTimeMillis() - ingest) * 1000, measured);
            }
        }

        private static long parse(String ceTime) {
            if (ceTime == null) {
                return -1;
            }
            try {
                return Instant.parse(ceTime).toEpochMilli();
            } catch (DateTimeParseException e) {
                return -1;
            }
        }

        @Override
        public Future<?> stop() {
            return server == null ? Future.succeededFuture() : server.close();
        }
    }
}
