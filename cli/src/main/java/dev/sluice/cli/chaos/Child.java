package dev.sluice.cli.chaos;

import dev.sluice.cli.Main;
import dev.sluice.testkit.KafkaCluster;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A {@code sluice router} or {@code sluice executor} in a child JVM (this JVM's classpath), with its
 * output appended to a log, so that a fault can SIGKILL it as a crash or an OOM kill would.
 */
record Child(Role role, String name, Process process, int managementPort, Path log) {

    /** Which command a child runs. */
    enum Role {
        ROUTER("router"),
        EXECUTOR("executor");

        final String command;

        Role(String command) {
            this.command = command;
        }
    }

    private static final HttpClient HTTP = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(2))
            .build();
    /** How a child's JVM runs. */
    enum Jvm {
        /**
         * As {@code ./sluice router} and {@code ./sluice executor} run with no {@code SLUICE_JAVA_OPTS}:
         * both JIT tiers and the collector the JVM picks. What {@code sluice chaos} measures with.
         */
        STANDARD(List.of(), KafkaCluster.Jit.PEAK),
        /**
         * Small heaps and one JIT tier: ready sooner, slower under load. For the CI drills, where
         * several children start on two cores beside the brokers and the audit, not the speed, is judged.
         */
        LEAN(List.of("-Xmx384m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1"), KafkaCluster.Jit.QUICK_START);

        final List<String> flags;
        /** How the Kafka nodes of the same stack compile. */
        final KafkaCluster.Jit kafka;

        Jvm(List<String> flags, KafkaCluster.Jit kafka) {
            this.flags = flags;
            this.kafka = kafka;
        }

        static Jvm parse(String value) {
            return switch (value) {
                case "standard" -> STANDARD;
                case "lean" -> LEAN;
                default -> throw new IllegalArgumentException("--jvm is standard or lean, not " + value);
            };
        }
    }

    /** Starts {@code role} named {@code name} in a {@code jvm} with {@code env} (SLUICE_* settings); its management port is in it. */
    static Child start(Role role, Jvm jvm, String name, Map<String, String> env, int managementPort, Path logDir) {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(jvm.flags);
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), Main.class.getName(), role.command));
        Path log = logDir.resolve(name + ".log");
        ProcessBuilder pb = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        pb.environment().putAll(env);
        try {
            return new Child(role, name, pb.start(), managementPort, log);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + name, e);
        }
    }

    /** Waits until {@code /health/ready} answers 200; fails at once when the child exits. */
    Child awaitReady(Duration timeout) {
        long until = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < until) {
            if (!process.isAlive()) {
                throw new IllegalStateException(name + " exited with " + process.exitValue() + "; see " + log);
            }
            if (ready()) {
                return this;
            }
            Pause.millis(100);
        }
        throw new IllegalStateException(name + " not ready within " + timeout + "; see " + log);
    }

    boolean ready() {
        try {
            return HTTP.send(
                                    HttpRequest.newBuilder(
                                                    URI.create("http://127.0.0.1:" + managementPort + "/health/ready"))
                                            .timeout(Duration.ofSeconds(2))
                                            .build(),
                                    HttpResponse.BodyHandlers.discarding())
                            .statusCode()
                    == 200;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** SIGKILL, as a crash: nothing is drained or committed. Waits until the process is gone. */
    void kill() {
        process.destroyForcibly();
        waitFor(Duration.ofSeconds(10));
    }

    /** SIGTERM, as a scale-in: the child drains and commits; SIGKILL after {@code grace}. */
    void stop(Duration grace) {
        process.destroy();
        if (!waitFor(grace)) {
            kill();
        }
    }

    boolean alive() {
        return process.isAlive();
    }

    private boolean waitFor(Duration d) {
        try {
            return process.waitFor(d.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
            return false;
        }
    }
}
