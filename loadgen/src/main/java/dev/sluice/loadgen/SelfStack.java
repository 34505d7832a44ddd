package dev.sluice.loadgen;

import dev.sluice.testkit.DevSecure;
import dev.sluice.testkit.Ports;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * {@code <root>/sluice dev} as a child process on free ports, its demo workflow pointed at a URL
 * (the generator's receiver). A separate process keeps the generator's CPU apart from Sluice's,
 * so each can be reported. Ready when the router is ready and the executor holds its partitions;
 * closed with SIGTERM (the dev stack's own shutdown stops Kafka and the rest), then SIGKILL.
 */
final class SelfStack implements Target {

    private static final String HOST = StackLauncher.HOST;

    private final Process process;
    private final int routerPort;
    private final int executorManagementPort;
    private final int mqttPort;
    private final Path log;
    private String directBootstrap;
    /** Where this child's output begins in {@link #log}, which earlier runs into the same directory may have written. */
    private final long logStart;

    private boolean secure;

    private SelfStack(
            Process process, int routerPort, int executorManagementPort, int mqttPort, Path log, long logStart) {
        this.process = process;
        this.routerPort = routerPort;
        this.mqttPort = mqttPort;
        this.executorManagementPort = executorManagementPort;
        this.log = log;
        this.logStart = logStart;
    }

    /**
     * Starts the child and waits (up to {@code timeout}, which must cover a first build) until it
     * is ready. {@code javaOpts}, when not null, becomes the child's SLUICE_JAVA_OPTS.
     */
    static SelfStack start(
            Path root, String webhookUrl, boolean webhookHttp2, String javaOpts, Path log, Duration timeout) {
        Path script = StackLauncher.script(root);
        int routerPort = Ports.freePort();
        int routerManagement = Ports.freePort();
        int executorManagement = Ports.freePort();
        int mqttPort = Ports.freePort();
        Map<String, String> env = Map.of(
                "SLUICE_ROUTER_MQTT_PORT", Integer.toString(mqttPort),
                "SLUICE_DEV_WEBHOOK_URL", webhookUrl,
                "SLUICE_DEV_WEBHOOK_HTTP2", Boolean.toString(webhookHttp2),
                "SLUICE_ROUTER_PORT", Integer.toString(routerPort),
                "SLUICE_ROUTER_MANAGEMENT_PORT", Integer.toString(routerManagement),
                "SLUICE_EXECUTOR_MANAGEMENT_PORT", Integer.toString(executorManagement),
                "SLUICE_DEV_ECHO_PORT", Integer.toString(Ports.freePort()));
        long logStart;
        try {
            logStart = Files.exists(log) ? Files.size(log) : 0;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + log, e);
        }
        Process p;
        try {
            p = StackLauncher.sluice(script, "dev", env, javaOpts, log);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + script + " dev", e);
        }
        SelfStack s = new SelfStack(p, routerPort, executorManagement, mqttPort, log, logStart);
        try {
            s.awaitReady(routerManagement, timeout);
        } catch (RuntimeException e) {
            s.close();
            throw e;
        }
        return s;
    }

    private void awaitReady(int routerManagement, Duration timeout) {
        String routerReady = "http://" + HOST + ":" + routerManagement + "/health/ready";
        String executorReady = "http://" + HOST + ":" + executorManagementPort + "/health/ready";
        StackLauncher.awaitReady(
                timeout,
                Duration.ofMillis(250),
                StackLauncher.noneExited(
                        List.of(process),
                        exit -> "sluice dev exited with " + exit + " before it was ready; log " + log + ":\n" + tail()),
                () -> {
                    JsonObject router = StackLauncher.health(routerReady);
                    JsonObject executor = StackLauncher.health(executorReady);
                    return router != null && executor != null && executor.getInteger("partitions", 0) > 0;
                },
                () -> "sluice dev was not ready within " + timeout + "; log " + log + ":\n" + tail());
    }

    private String tail() {
        try {
            List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 30), lines.size()));
        } catch (IOException e) {
            return "(no log)";
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
            StackLauncher.pause(100);
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
        return directBootstrap != null
                ? "kafka://" + directBootstrap + "/sluice.demo"
                : StackLauncher.ingestUrl(routerPort, secure ? DevSecure.SOURCE : "demo");
    }

    /** The dev stack's MQTT listener (its demo route binds {@code devices/+/telemetry}). */
    @Override
    public String mqttUrl() {
        return StackLauncher.mqttUrl(mqttPort);
    }

    @Override
    public String executorMetricsUrl() {
        return StackLauncher.metricsUrl(executorManagementPort);
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
        StackLauncher.stop(List.of(process), Duration.ofSeconds(60));
        // The dev stack stops its broker, PostgreSQL and Redis itself; these are only what a crash left.
        family.stream().filter(ProcessHandle::isAlive).forEach(ProcessHandle::destroyForcibly);
    }
}
