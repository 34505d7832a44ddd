package dev.sluice.loadgen;

import dev.sluice.testkit.DevSecure;
import dev.sluice.testkit.Ports;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * {@code <root>/sluice dev} as a child process on free ports, its demo workflow pointed at a URL
 * (the generator's receiver). A separate process keeps the generator's CPU apart from Sluice's,
 * so each can be reported. Ready when the router is ready and the executor holds its partitions;
 * closed with SIGTERM (the dev stack's own shutdown stops Kafka and the rest), then SIGKILL.
 */
final class SelfStack implements Target {

    private static final String HOST = "127.0.0.1";
    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(2)).build();

    private final Process process;
    private final int routerPort;
    private final int executorManagementPort;
    private final Path log;
    private String directBootstrap;
    /** Where this child's output begins in {@link #log}, which earlier runs into the same directory may have written. */
    private final long logStart;
    private boolean secure;

    private SelfStack(Process process, int routerPort, int executorManagementPort, Path log, long logStart) {
        this.process = process;
        this.routerPort = routerPort;
        this.executorManagementPort = executorManagementPort;
        this.log = log;
        this.logStart = logStart;
    }

    /**
     * Starts the child and waits (up to {@code timeout}, which must cover a first build) until it
     * is ready. {@code javaOpts}, when not null, becomes the child's SLUICE_JAVA_OPTS.
     */
    static SelfStack start(Path root, String webhookUrl, boolean webhookHttp2, String javaOpts, Path log, Duration timeout) {
        Path script = root.resolve("sluice").toAbsolutePath().normalize();
        if (!Files.isExecutable(script)) {
            throw new IllegalStateException(script + " not found or not executable; pass --root <repository root>");
        }
        int routerPort = Ports.freePort();
        int routerManagement = Ports.freePort();
        int executorManagement = Ports.freePort();
        ProcessBuilder pb = new ProcessBuilder(script.toString(), "dev").directory(root.toFile()).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        Map<String, String> env = pb.environment();
        env.put("SLUICE_DEV_WEBHOOK_URL", webhookUrl);
        env.put("SLUICE_DEV_WEBHOOK_HTTP2", Boolean.toString(webhookHttp2));
        env.put("SLUICE_ROUTER_PORT", Integer.toString(routerPort));
        env.put("SLUICE_ROUTER_MANAGEMENT_PORT", Integer.toString(routerManagement));
        env.put("SLUICE_EXECUTOR_MANAGEMENT_PORT", Integer.toString(executorManagement));
        env.put("SLUICE_DEV_ECHO_PORT", Integer.toString(Ports.freePort()));
        if (javaOpts != null) {
            env.put("SLUICE_JAVA_OPTS", javaOpts);
        }
        long logStart;
        try {
            logStart = Files.exists(log) ? Files.size(log) : 0;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + log, e);
        }
        Process p;
        try {
            p = pb.start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + script + " dev", e);
        }
        SelfStack s = new SelfStack(p, routerPort, executorManagement, log, logStart);
        try {
            s.awaitReady(routerManagement, timeout);
        } catch (RuntimeException e) {
            s.close();
            throw e;
        }
        return s;
    }

    private void awaitReady(int routerManagement, Duration timeout) {
        long until = System.nanoTime() + timeout.toNanos();
        String routerReady = "http://" + HOST + ":" + routerManagement + "/health/ready";
        String executorReady = "http://" + HOST + ":" + executorManagementPort + "/health/ready";
        while (System.nanoTime() < until) {
            if (!process.isAlive()) {
                throw new IllegalStateException("sluice dev exited with " + process.exitValue() + " before it was ready; log "
                        + log + ":\n" + tail());
            }
            JsonObject router = get(routerReady);
            JsonObject executor = get(executorReady);
            if (router != null && executor != null && executor.getInteger("partitions", 0) > 0) {
                return;
            }
            pause(250);
        }
        throw new IllegalStateException("sluice dev was not ready within " + timeout + "; log " + log + ":\n" + tail());
    }

    /** A management endpoint's JSON when it answers 200, else null (also used by {@link SplitStack}). */
    static JsonObject get(String url) {
        try {
            HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(2)).GET().build(),
                    HttpResponse.BodyHandlers.ofString());
            return r.statusCode() == 200 ? new JsonObject(r.body()) : null;
        } catch (IOException | RuntimeException e) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    private String tail() {
        try {
            List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 30), lines.size()));
        } catch (IOException e) {
            return "(no log)";
        }
    }

    static void pause(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    /**
     * {@code --direct}: the generator will produce to the dev stack's own broker (its address is
     * the {@code kafka} line {@code sluice dev} prints), and the router stays idle.
     */
    SelfStack direct() {
        java.util.regex.Pattern line = java.util.regex.Pattern.compile("^\\s*kafka\\s+(\\S+:\\d+)\\b");
        // Only this child's lines: a stale banner from an earlier run in the same directory names a broker long gone.
        long until = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        do {
            try {
                byte[] all = Files.readAllBytes(log);
                int from = (int) Math.min(logStart, all.length);
                for (String l : new String(all, from, all.length - from, StandardCharsets.UTF_8).split("\n")) {
                    java.util.regex.Matcher m = line.matcher(l);
                    if (m.find()) {
                        directBootstrap = m.group(1);
                        return this;
                    }
                }
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read " + log, e);
            }
            pause(100);
        } while (System.nanoTime() < until);
        throw new IllegalStateException("sluice dev did not print its kafka address; log " + log + ":\n" + tail());
    }

    /** {@code --secure}: measure the {@code demo-secure} source (API key, signature, fail-closed idempotency). */
    SelfStack secure() {
        secure = true;
        return this;
    }

    @Override
    public String kafkaBootstrap() {
        return directBootstrap;
    }

    @Override
    public String ingestUrl() {
        return directBootstrap != null ? "kafka://" + directBootstrap + "/sluice.demo"
                : "http://" + HOST + ":" + routerPort + "/v1/events/" + (secure ? DevSecure.SOURCE : "demo");
    }

    @Override
    public String executorMetricsUrl() {
        return "http://" + HOST + ":" + executorManagementPort + "/metrics";
    }

    @Override
    public List<ProcessHandle> processes() {
        return List.of(process.toHandle());
    }

    @Override
    public List<ProcessHandle> profiledJvms() {
        return List.of(process.toHandle());
    }

    @Override
    public void close() {
        List<ProcessHandle> family = process.toHandle().descendants().toList();
        process.destroy();
        try {
            if (!process.waitFor(60, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                process.waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
        // The dev stack stops its broker, PostgreSQL and Redis itself; these are only what a crash left.
        family.stream().filter(ProcessHandle::isAlive).forEach(ProcessHandle::destroyForcibly);
    }
}
