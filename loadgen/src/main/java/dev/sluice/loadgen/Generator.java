package dev.sluice.loadgen;

import io.vertx.core.Context;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.http.PoolOptions;
import java.net.URI;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The open-loop load generator: its own Vert.x (a few event loops for the senders and the
 * receiver), and {@link #run} for one run against a target. Reused across the steps of a knee
 * search, so the receiver's URL stays the one the workflow posts to.
 */
public final class Generator implements AutoCloseable {

    private static final String HOST = "127.0.0.1";

    private final Vertx vertx;
    private final List<Context> contexts;
    private final Receiver receiver;

    private Generator(Vertx vertx, List<Context> contexts, Receiver receiver) {
        this.vertx = vertx;
        this.contexts = contexts;
        this.receiver = receiver;
    }

    /** Starts the event loops and the receiver (on {@code receiverPort}, 0 for a free port). */
    public static Generator start(int loops, int receiverPort) {
        // Native epoll where available, as Sluice itself runs: about half the system calls per request of NIO,
        // and on a shared machine every system call the instrument saves is CPU left to what it measures.
        Vertx vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(loops).setPreferNativeTransport(true));
        try {
            List<Context> contexts = new CopyOnWriteArrayList<>();
            await(vertx.deployVerticle(
                    () -> new VerticleBase() {
                        @Override
                        public Future<?> start() {
                            contexts.add(context);
                            return Future.succeededFuture();
                        }
                    },
                    new DeploymentOptions().setInstances(loops)));
            Receiver receiver = await(Receiver.start(vertx, HOST, receiverPort, loops));
            return new Generator(vertx, contexts, receiver);
        } catch (RuntimeException e) {
            vertx.close();
            throw e;
        }
    }

    /** Where the workflow's http step must post for end-to-end runs. */
    public String receiverUrl() {
        return receiver.url(HOST);
    }

    /** One run: warmup, measured window, drain; returns the summary (reports are written by {@link Reports}). */
    public RunResult run(RunOptions o, Target target) {
        RateSchedule schedule = o.measuredSchedule().withWarmup(o.warmup());
        long warmupNanos = o.warmup().toNanos();
        URI uri = URI.create(target.ingestUrl());
        Prometheus.Counters metricsBefore =
                o.e2e() ? Prometheus.scrape(target.executorMetricsUrl()) : Prometheus.Counters.UNKNOWN;

        List<HttpClient> clients = new ArrayList<>();
        int perLoop = Math.max(1, o.connections() / contexts.size());
        for (int j = 0; j < contexts.size(); j++) {
            HttpClientOptions co = new HttpClientOptions()
                    .setKeepAlive(true)
                    .setPipelining(false)
                    .setTcpNoDelay(true)
                    .setConnectTimeout(
                            (int) Math.min(Integer.MAX_VALUE, o.timeout().toMillis()));
            PoolOptions po = new PoolOptions()
                    .setHttp1MaxSize(perLoop)
                    .setHttp2MaxSize(perLoop)
                    .setMaxWaitQueueSize(-1);
            if (o.http2()) {
                co.setProtocolVersion(HttpVersion.HTTP_2).setHttp2ClearTextUpgrade(false);
            }
            clients.add(vertx.createHttpClient(co, po));
        }

        // --raw-h2 connects first: its connections are ready before the first event is due.
        List<H2Connections> h2 = new ArrayList<>();
        if (o.rawH2()) {
            String path = RunPlan.requestPath(uri, o.batch());
            for (Context c : contexts) {
                io.netty.channel.EventLoop loop = ((io.vertx.core.internal.ContextInternal) c).nettyEventLoop();
                h2.add(await(H2Connections.open(
                        loop,
                        ((io.vertx.core.internal.VertxInternal) vertx)
                                .transport()
                                .channelFactory(false),
                        uri.getHost(),
                        uri.getPort() > 0 ? uri.getPort() : 80,
                        path,
                        perLoop,
                        o.e2e(),
                        o.timeout().toMillis())));
            }
        }

        // --mqtt connects first too: each event loop opens its share of the devices, so publishing spreads over every
        // loop.
        List<MqttPublishers> mqtt = new ArrayList<>();
        if (o.mqtt() != null) {
            URI broker = URI.create(target.mqttUrl() != null ? target.mqttUrl() : o.mqtt());
            for (int j = 0; j < contexts.size(); j++) {
                mqtt.add(await(MqttPublishers.open(
                        vertx,
                        contexts.get(j),
                        broker,
                        perLoop,
                        j * perLoop,
                        o.qos(),
                        RunPlan.payload(o.payloadBytes()),
                        o.randomPad() ? RandomPad.over(RunPlan.payload(o.payloadBytes())) : RandomPad.NONE,
                        o.apiKey(),
                        o.timeout().toMillis())));
            }
        }

        long startNanos = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(100);
        long startEpochMillis = System.currentTimeMillis() + 100;
        RunPlan plan = new RunPlan(schedule, startNanos, warmupNanos, uri, o);
        DirectProducer direct = target.kafkaBootstrap() == null
                ? null
                : DirectProducer.create(target.kafkaBootstrap(), uri.getPath().substring(1));
        List<Sender> senders = new ArrayList<>();
        for (int j = 0; j < contexts.size(); j++) {
            senders.add(new Sender(contexts.get(j), clients.get(j), plan, direct));
        }
        for (int j = 0; j < h2.size(); j++) {
            h2.get(j).answerTo(senders.get(j));
            senders.get(j).useH2(h2.get(j));
        }
        for (int j = 0; j < mqtt.size(); j++) {
            mqtt.get(j).answerTo(senders.get(j));
            senders.get(j).useMqtt(mqtt.get(j));
        }
        long pauseFrom = o.receiverPause().isZero()
                ? 0
                : startNanos + warmupNanos + o.receiverPauseAt().toNanos();
        long pauseTo =
                o.receiverPause().isZero() ? 0 : pauseFrom + o.receiverPause().toNanos();
        List<Receiver.Tally> tallies = receiver.beginRun(new Receiver.Settings(
                o.ttl().toMillis(),
                startEpochMillis + o.warmup().toMillis(),
                o.webhookDelay().toMillis(),
                pauseFrom,
                pauseTo));

        // One progress line a second when a person watches (a terminal); none in logs and tests.
        Timeline timeline = new Timeline(
                senders,
                tallies,
                startNanos,
                startEpochMillis,
                System.console() != null ? System.err::println : Timeline.QUIET);
        ScheduledExecutorService clock = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "bench-timeline");
            t.setDaemon(true);
            return t;
        });
        CpuWindow cpu = new CpuWindow(target);
        long untilFirstTick = startNanos + TimeUnit.SECONDS.toNanos(1) - System.nanoTime();
        clock.scheduleAtFixedRate(timeline::tick, untilFirstTick, TimeUnit.SECONDS.toNanos(1), TimeUnit.NANOSECONDS);
        clock.schedule(cpu::begin, startNanos + warmupNanos - System.nanoTime(), TimeUnit.NANOSECONDS);

        Pacer pacer = new Pacer(plan, senders);
        Thread pacing = new Thread(pacer, "bench-pacer");
        pacing.setPriority(Thread.MAX_PRIORITY);
        pacing.start();
        try {
            pacing.join();
        } catch (InterruptedException e) {
            pacer.stop();
            Thread.currentThread().interrupt();
        }
        long sendEnd = System.nanoTime();
        awaitResponses(senders, o.timeout().toMillis() * 2 + 5000);
        long responsesIn = System.nanoTime();
        boolean drained = true;
        if (o.e2e()) {
            drained = awaitExecution(
                    senders,
                    tallies,
                    target,
                    metricsBefore,
                    o.drain().toMillis(),
                    o.ttl().toMillis());
        }
        double drainSeconds = (System.nanoTime() - responsesIn) / 1e9;
        cpu.end();
        clock.shutdownNow();
        timeline.tick();

        // A barrier on every event loop, so their confined state is safe to read here.
        barrier(contexts);
        barrier(receiver.contexts());
        clients.forEach(HttpClient::close);
        h2.forEach(c -> await(c.close()));
        for (int j = 0; j < mqtt.size(); j++) {
            await(mqtt.get(j).close(contexts.get(j)));
        }
        if (direct != null) {
            direct.close();
        }

        Map<String, Long> errors = new TreeMap<>();
        long sent = 0;
        long acked = 0;
        long errorCount = 0;
        long measuredSent = 0;
        long measuredAcked = 0;
        long lastAck = 0;
        IdSet ackedIds = new IdSet();
        for (Sender s : senders) {
            s.errorKinds.forEach((k, v) -> errors.merge(k, v, Long::sum));
            sent += s.sent.get();
            acked += s.acked.get();
            errorCount += s.errors.get();
            measuredSent += s.measuredSent;
            measuredAcked += s.measuredAcked;
            lastAck = Math.max(lastAck, s.lastMeasuredAckNanos);
            ackedIds.addAll(s.ackedIds);
        }
        RunSummary.Accounting accounting = RunSummary.Accounting.NONE;
        if (o.e2e()) {
            accounting = account(
                    ackedIds,
                    tallies,
                    acked,
                    Prometheus.scrape(target.executorMetricsUrl()).minus(metricsBefore),
                    o.mqtt() != null,
                    drainSeconds,
                    drained);
        }
        double window = schedule.totalNanos() / 1e9 - o.warmup().toNanos() / 1e9;
        double achievedOver = Math.max(window, (lastAck - (startNanos + warmupNanos)) / 1e9);
        double achieved = achievedOver > 0 ? measuredAcked / achievedOver : 0;
        double asked = schedule.meanRate(warmupNanos);

        Map<String, Percentiles> lat = new LinkedHashMap<>();
        lat.put(RunSummary.ACK, Histograms.percentiles(timeline.ack));
        lat.put(RunSummary.SERVICE, Histograms.percentiles(timeline.service));
        lat.put(RunSummary.SEND_LAG, Histograms.percentiles(timeline.sendLag));
        if (o.e2e()) {
            lat.put(RunSummary.INGEST_TO_START, Histograms.percentiles(timeline.ingestToStart));
            lat.put(RunSummary.INGEST_TO_END, Histograms.percentiles(timeline.ingestToEnd));
        }
        RunSummary summary = new RunSummary(
                Instant.ofEpochMilli(startEpochMillis).toString(),
                o.describe(),
                asked,
                achieved,
                window,
                o.warmup().toNanos() / 1e9,
                new RunSummary.Counts(sent, acked, errorCount, measuredSent, measuredAcked),
                errors,
                lat,
                accounting,
                cpu.summary(measuredAcked),
                RunSummary.Machine.current());
        return new RunResult(summary, timeline, (sendEnd - startNanos) / 1e9, (responsesIn - startNanos) / 1e9);
    }

    /** A finished run: its summary and the histograms and rows behind it. */
    public record RunResult(RunSummary summary, Timeline timeline, double sendSeconds, double responsesSeconds) {}

    private static void awaitResponses(List<Sender> senders, long boundMillis) {
        long until = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(boundMillis);
        while (System.nanoTime() < until
                && senders.stream().mapToLong(s -> s.outstanding.get()).sum() > 0) {
            StackLauncher.pause(20);
        }
    }

    /**
     * Waits until every acknowledged event arrived or was expired or dead-lettered. Gives up at the
     * bound, or earlier once every acknowledged event's deadline has passed and nothing has moved
     * for 10 s (whatever is missing then is not coming). Returns whether everything was accounted for.
     */
    private static boolean awaitExecution(
            List<Sender> senders,
            List<Receiver.Tally> tallies,
            Target target,
            Prometheus.Counters before,
            long boundMillis,
            long ttlMillis) {
        long start = System.nanoTime();
        long until = start + TimeUnit.MILLISECONDS.toNanos(boundMillis);
        long allDeadlinesPassed = start + TimeUnit.MILLISECONDS.toNanos(ttlMillis + 1000);
        long nextScrape = 0;
        double accountedByMetrics = 0;
        double lastProgress = -1;
        long lastProgressAt = start;
        while (System.nanoTime() < until) {
            long accepted = senders.stream().mapToLong(s -> s.acked.get()).sum();
            long arrived = tallies.stream().mapToLong(t -> t.unique.get()).sum();
            if (arrived >= accepted) {
                return true;
            }
            long now = System.nanoTime();
            if (now >= nextScrape) {
                Prometheus.Counters d =
                        Prometheus.scrape(target.executorMetricsUrl()).minus(before);
                accountedByMetrics = d.known() ? d.expired() + d.deadLettered() : 0;
                nextScrape = now + TimeUnit.MILLISECONDS.toNanos(500);
            }
            if (arrived + accountedByMetrics >= accepted) {
                return true;
            }
            if (arrived + accountedByMetrics != lastProgress) {
                lastProgress = arrived + accountedByMetrics;
                lastProgressAt = now;
            } else if (now > allDeadlinesPassed && now - lastProgressAt > TimeUnit.SECONDS.toNanos(10)) {
                return false;
            }
            StackLauncher.pause(50);
        }
        return false;
    }

    /**
     * {@code byCount} (MQTT 3.1.1, whose publishes carry no id and whose PUBACK names none): the router mints each id, so
     * arrivals are matched to acknowledgements by number, not by id; an execution of an unacknowledged event then shows
     * only when more arrive than were acknowledged.
     */
    static RunSummary.Accounting account(
            IdSet ackedIds,
            List<Receiver.Tally> tallies,
            long accepted,
            Prometheus.Counters delta,
            boolean byCount,
            double drainSeconds,
            boolean drained) {
        IdSet arrived = new IdSet();
        long late = 0;
        long dups = 0;
        for (Receiver.Tally t : tallies) {
            dups += arrived.addAll(t.arrived);
            late += t.lateStarts;
            dups += t.duplicates;
        }
        long executed = byCount ? Math.min(arrived.size(), accepted) : ackedIds.countIn(arrived);
        long arrivedUnacked = arrived.size() - executed;
        long expired = delta.known() ? Math.round(delta.expired()) : 0;
        long dead = delta.known() ? Math.round(delta.deadLettered()) : 0;
        return RunSummary.Accounting.of(
                accepted, executed, expired, dead, late, dups, arrivedUnacked, delta.known(), drainSeconds, drained);
    }

    private static void barrier(List<Context> contexts) {
        List<Future<Void>> all = new ArrayList<>();
        for (Context c : contexts) {
            all.add(Future.future(p -> c.runOnContext(v -> p.complete())));
        }
        await(Future.all(all));
    }

    static <T> T await(Future<T> f) {
        try {
            return f.toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
        } catch (java.util.concurrent.ExecutionException e) {
            Throwable c = e.getCause();
            throw c instanceof RuntimeException re ? re : new IllegalStateException(c);
        } catch (java.util.concurrent.TimeoutException e) {
            throw new IllegalStateException("no answer within 60 s", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    Vertx vertx() {
        return vertx;
    }

    @Override
    public void close() {
        await(vertx.close());
    }

    /** CPU time of this process and of the target's processes over the measured window. */
    private static final class CpuWindow {
        private final Target target;
        private final ProcessHandle self = ProcessHandle.current();
        private volatile long selfBefore = -1;
        private volatile long fromMillis;
        private long toMillis;
        private volatile Map<Long, ProcessCpu.Proc> before = Map.of();
        private volatile Map<String, Map<Long, String[]>> threadsBefore = Map.of();
        private long selfAfter;
        private Map<Long, ProcessCpu.Proc> after = Map.of();
        private Map<String, Map<Long, String[]>> threadsAfter = Map.of();

        CpuWindow(Target target) {
            this.target = target;
        }

        void begin() {
            before = ProcessCpu.snapshot(target.processes());
            threadsBefore = threads();
            selfBefore = ProcessCpu.cpuNanos(self);
            fromMillis = System.currentTimeMillis();
        }

        void end() {
            toMillis = System.currentTimeMillis();
            selfAfter = ProcessCpu.cpuNanos(self);
            after = ProcessCpu.snapshot(target.processes());
            threadsAfter = threads();
        }

        /** Thread CPU of each Sluice JVM, keyed by a prefix naming the JVM when there are several. */
        private Map<String, Map<Long, String[]>> threads() {
            List<ProcessHandle> jvms = target.profiledJvms();
            Map<String, Map<Long, String[]>> out = new LinkedHashMap<>();
            for (ProcessHandle jvm : jvms) {
                String prefix = jvms.size() == 1
                        ? ""
                        : ProcessCpu.snapshot(List.of(jvm)).values().stream()
                                .findFirst()
                                .map(p -> p.name() + ": ")
                                .orElse(jvm.pid() + ": ");
                out.put(prefix, ProcessCpu.threads(jvm.pid()));
            }
            return out;
        }

        RunSummary.Cpu summary(long events) {
            if (selfBefore < 0) {
                return RunSummary.Cpu.NONE;
            }
            double gen = (selfAfter - selfBefore) / 1e9;
            Map<String, Double> procs = ProcessCpu.deltaByName(before, after);
            Map<String, Double> perEvent = new LinkedHashMap<>();
            Map<String, Double> rounded = new LinkedHashMap<>();
            procs.forEach((k, v) -> {
                rounded.put(k, RunSummary.round(v * 100) / 100);
                perEvent.put(k, events > 0 ? RunSummary.round(v * 1e6 / events) : 0);
            });
            Map<String, Double> threads = new LinkedHashMap<>();
            threadsAfter.forEach((prefix, now) -> ProcessCpu.threadDelta(
                            threadsBefore.getOrDefault(prefix, Map.of()), now)
                    .forEach((k, v) -> threads.put(prefix + k, RunSummary.round(v * 100) / 100)));
            return new RunSummary.Cpu(
                    RunSummary.round(gen * 100) / 100,
                    events > 0 ? RunSummary.round(gen * 1e6 / events) : 0,
                    rounded,
                    perEvent,
                    threads,
                    Instant.ofEpochMilli(fromMillis).toString(),
                    Instant.ofEpochMilli(toMillis).toString());
        }
    }
}
