import dev.sluice.testkit.KafkaBroker;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Start-up timing of the Sluice roles, and the training runs that make their AppCDS archives.
 *
 * <pre>
 * java -cp CLASSPATH StartupTiming train DIR          # DIR/router.jsa, DIR/executor.jsa
 * java -cp CLASSPATH StartupTiming measure RUNS [router|executor|both] [DIR]
 *                                                    # with and without the archives (DIR, or trained first)
 * </pre>
 *
 * CLASSPATH is the sluice CLI's runtime classpath (it holds testkit, whose real Kafka broker this
 * starts; {@code -Dtiming.classpath=...} names another one for the roles). Each role runs as a child JVM with that same classpath, so an archive made here is
 * valid for it. Router: from just before the child JVM is started to the first 200 of
 * {@code /health/ready}. Executor: from just before the child is started to the moment the first
 * event reaches this program's webhook, i.e. the event was consumed and its workflow's first step
 * began (and, apart, to its first ready 200).
 */
public final class StartupTiming {

    /** The JVM flags of the image (k8s/image/sluice-entrypoint.sh; the k8s module's ImageTest keeps them equal), without the archive. */
    static final List<String> CONTAINER_FLAGS = List.of("-XX:+UseG1GC", "-XX:MaxGCPauseMillis=20",
            "-XX:MaxRAMPercentage=75", "-XX:+ExitOnOutOfMemoryError", "-Xlog:cds=off", "-Xlog:cds+dynamic=off");

    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(2)).build();

    private final String classpath = System.getProperty("timing.classpath", System.getProperty("java.class.path"));
    private final String javaBin = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    private final KafkaBroker broker;
    private final HttpServer webhook;
    private final AtomicReference<CompletableFuture<Long>> arrival = new AtomicReference<>(new CompletableFuture<>());
    private final Path catalog;
    private final List<Process> children = new ArrayList<>();

    private StartupTiming() throws IOException {
        broker = KafkaBroker.start();
        for (String t : List.of("sluice.timing", "sluice.timing.expired", "sluice.timing.dlq")) {
            broker.createTopic(t, 2, Duration.ofHours(1));
        }
        webhook = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        webhook.createContext("/hook", ex -> {
            long now = System.nanoTime();
            ex.getRequestBody().readAllBytes();
            ex.sendResponseHeaders(200, -1);
            ex.close();
            arrival.get().complete(now);
        });
        webhook.start();
        catalog = Files.createTempFile("sluice-timing", ".json");
        Files.writeString(catalog, """
                {"routes": [{"source": "timing", "topic": "sluice.timing", "ttl": "300s", "partitions": 2}],
                 "workflows": [{"name": "timing", "sources": ["timing"],
                                "steps": [{"type": "http", "url": "http://127.0.0.1:%d/hook"}]}]}
                """.formatted(webhook.getAddress().getPort()));
    }

    public static void main(String[] args) throws Exception {
        if (args.length < 2) {
            System.err.println("usage: StartupTiming train DIR | measure RUNS [router|executor|both] [DIR]");
            System.exit(2);
        }
        StartupTiming t = new StartupTiming();
        Thread cleanup = new Thread(t::close, "startup-timing-cleanup");
        Runtime.getRuntime().addShutdownHook(cleanup);
        try {
            switch (args[0]) {
                case "train" -> t.train(Path.of(args[1]));
                case "measure" -> t.measure(Integer.parseInt(args[1]), args.length > 2 ? args[2] : "both",
                        args.length > 3 ? Path.of(args[3]) : null);
                default -> throw new IllegalArgumentException("unknown mode " + args[0]);
            }
        } finally {
            Runtime.getRuntime().removeShutdownHook(cleanup);
            t.close();
        }
    }

    private void train(Path dir) throws Exception {
        Files.createDirectories(dir);
        Ports ports = Ports.fresh();
        // The router's archive: start, serve some events of every kind the edge sees, stop.
        Process router = start("router", ports, List.of("-XX:ArchiveClassesAtExit=" + dir.resolve("router.jsa")));
        awaitReady(ports.routerManagement(), router);
        for (int i = 0; i < 200; i++) {
            post(ports.router(), "timing");
            post(ports.router(), "nosuchsource");
        }
        stop(router);
        // The executor's archive needs a running router only to feed it.
        Process feeder = start("router", ports, List.of());
        awaitReady(ports.routerManagement(), feeder);
        arrival.set(new CompletableFuture<>());
        Process executor = start("executor", ports, List.of("-XX:ArchiveClassesAtExit=" + dir.resolve("executor.jsa")));
        for (int i = 0; i < 50; i++) {
            post(ports.router(), "timing");
        }
        arrival.get().get(120, TimeUnit.SECONDS);
        awaitReady(ports.executorManagement(), executor);
        Thread.sleep(2000);
        stop(executor);
        stop(feeder);
        for (String f : List.of("router.jsa", "executor.jsa")) {
            if (!Files.isRegularFile(dir.resolve(f))) {
                throw new IllegalStateException("no archive written: " + dir.resolve(f));
            }
            System.out.println(dir.resolve(f) + ": " + Files.size(dir.resolve(f)) / (1024 * 1024) + " MiB");
        }
    }

    private void measure(int runs, String roles, Path dir) throws Exception {
        Path archives = dir != null ? dir : Files.createTempDirectory("sluice-cds");
        if (dir == null || !Files.isRegularFile(dir.resolve("executor.jsa"))) {
            train(archives);
        }
        System.out.println("JVM flags: " + String.join(" ", CONTAINER_FLAGS));
        for (boolean cds : roles.equals("executor") ? new boolean[0] : new boolean[] {false, true}) {
            List<String> extra = cds ? List.of("-XX:SharedArchiveFile=" + archives.resolve("router.jsa")) : List.of();
            List<Long> ready = new ArrayList<>();
            List<Long> cpu = new ArrayList<>();
            List<Long> rss = new ArrayList<>();
            for (int i = 0; i < runs; i++) {
                Ports ports = Ports.fresh();
                long t0 = System.nanoTime();
                Process p = start("router", ports, extra);
                ready.add(awaitReady(ports.routerManagement(), p) - t0);
                cpu.add(cpuNanos(p));
                rss.add(rssMiB(p));
                stop(p);
            }
            report("router, resident memory when ready" + (cds ? ", AppCDS" : ""), rss, "MiB");
            report("router, JVM start -> /health/ready 200" + (cds ? ", AppCDS" : ""), ready);
            report("router, CPU time used until ready" + (cds ? ", AppCDS" : ""), cpu);
        }
        if (roles.equals("router")) {
            return;
        }
        Ports feed = Ports.fresh();
        Process feeder = start("router", feed, List.of());
        awaitReady(feed.routerManagement(), feeder);
        for (boolean cds : new boolean[] {false, true}) {
            List<String> extra = cds ? List.of("-XX:SharedArchiveFile=" + archives.resolve("executor.jsa")) : List.of();
            List<Long> first = new ArrayList<>();
            List<Long> rss = new ArrayList<>();
            List<Long> cpu = new ArrayList<>();
            List<Long> ready = new ArrayList<>();
            for (int i = 0; i < runs; i++) {
                arrival.set(new CompletableFuture<>());
                post(feed.router(), "timing");
                Ports ports = new Ports(feed.router(), feed.routerManagement(), freePort());
                long t0 = System.nanoTime();
                Process p = start("executor", ports, extra);
                first.add(arrival.get().get(120, TimeUnit.SECONDS) - t0);
                cpu.add(cpuNanos(p));
                ready.add(awaitReady(ports.executorManagement(), p) - t0);
                rss.add(rssMiB(p));
                stop(p);
            }
            report("executor, JVM start -> first event's workflow step" + (cds ? ", AppCDS" : ""), first);
            report("executor, CPU time used until the first step" + (cds ? ", AppCDS" : ""), cpu);
            report("executor, JVM start -> /health/ready 200" + (cds ? ", AppCDS" : ""), ready);
            report("executor, resident memory when ready" + (cds ? ", AppCDS" : ""), rss, "MiB");
        }
        stop(feeder);
    }

    private static void report(String what, List<Long> nanos) {
        report(what, nanos.stream().map(n -> n / 1_000_000).toList(), "ms");
    }

    private static void report(String what, List<Long> values, String unit) {
        List<Long> sorted = new ArrayList<>(values);
        Collections.sort(sorted);
        System.out.printf("%-62s median %5d %s  min %5d  max %5d  runs %s%n", what, sorted.get(sorted.size() / 2), unit,
                sorted.get(0), sorted.get(sorted.size() - 1), values);
    }

    private Process start(String role, Ports ports, List<String> extraFlags) throws IOException {
        List<String> cmd = new ArrayList<>();
        cmd.add(javaBin);
        cmd.addAll(CONTAINER_FLAGS);
        cmd.addAll(extraFlags);
        cmd.addAll(Arrays.asList("-cp", classpath, "dev.sluice.cli.Main", role));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD);
        Map<String, String> env = pb.environment();
        env.keySet().removeIf(k -> k.startsWith("SLUICE_"));
        env.put("SLUICE_KAFKA_BOOTSTRAP_SERVERS", broker.bootstrapServers());
        env.put("SLUICE_CATALOG_FILE", catalog.toString());
        env.put("SLUICE_ROUTER_HOST", "127.0.0.1");
        env.put("SLUICE_ROUTER_PORT", Integer.toString(ports.router()));
        env.put("SLUICE_ROUTER_MANAGEMENT_PORT", Integer.toString(ports.routerManagement()));
        env.put("SLUICE_EXECUTOR_HOST", "127.0.0.1");
        env.put("SLUICE_EXECUTOR_MANAGEMENT_PORT", Integer.toString(ports.executorManagement()));
        env.put("SLUICE_ROUTER_CATALOG_RELOAD", "0");
        Process p = pb.start();
        children.add(p);
        return p;
    }

    /** Polls readiness every 5 ms; returns System.nanoTime() of the first 200. */
    private static long awaitReady(int port, Process p) throws Exception {
        HttpRequest req = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/health/ready"))
                .timeout(Duration.ofSeconds(2)).build();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (System.nanoTime() < deadline) {
            if (!p.isAlive()) {
                throw new IllegalStateException("child exited with " + p.exitValue());
            }
            try {
                if (HTTP.send(req, HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
                    return System.nanoTime();
                }
            } catch (IOException e) {
                // not listening yet, or too slow to answer: ask again
            }
            Thread.sleep(5);
        }
        throw new IllegalStateException("not ready within 120 s on port " + port);
    }

    /**
     * User + system CPU time of the child so far (Linux /proc; all its threads: JIT, GC, class
     * loading), a figure that a busy machine inflates far less than wall-clock time.
     */
    private static long cpuNanos(Process p) throws IOException {
        String stat = Files.readString(Path.of("/proc", Long.toString(p.pid()), "stat"));
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        long ticks = Long.parseLong(f[11]) + Long.parseLong(f[12]);
        return ticks * 10_000_000L; // USER_HZ = 100
    }

    /** Sends one event; retried while the router is too busy to answer (a loaded machine). */
    /** Resident set size of the child in MiB (Linux /proc). */
    private static long rssMiB(Process p) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc", Long.toString(p.pid()), "status"))) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", "")) / 1024;
            }
        }
        return -1;
    }

    private static void post(int port, String source) throws Exception {
        HttpRequest req = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/v1/events/" + source))
                .timeout(Duration.ofSeconds(5)).header("content-type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"n\":1}")).build();
        for (int attempt = 1; ; attempt++) {
            try {
                HTTP.send(req, HttpResponse.BodyHandlers.discarding());
                return;
            } catch (IOException e) {
                if (attempt == 10) {
                    throw e;
                }
            }
        }
    }

    private static void stop(Process p) throws InterruptedException {
        p.destroy();
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly().waitFor();
        }
    }

    private void close() {
        for (Process p : children) {
            p.destroyForcibly();
        }
        webhook.stop(0);
        broker.close();
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    record Ports(int router, int routerManagement, int executorManagement) {
        static Ports fresh() throws IOException {
            return new Ports(freePort(), freePort(), freePort());
        }
    }
}
