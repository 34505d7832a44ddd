package dev.sluice.loadgen;

import dev.sluice.core.Topics;
import dev.sluice.testkit.KafkaBroker;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.IntFunction;
import java.util.function.Supplier;

/**
 * What the stacks the generator measures have in common, whichever way they run Sluice: in
 * {@code sluice dev} ({@link SelfStack}), as separate router and executor processes
 * ({@link SplitStack}), as the lean yardstick ({@link LeanStack}) or in this JVM
 * ({@link InProcessStack}). It finds the launcher script, starts children with their output in a
 * log, creates the live topics on a broker, waits until a stack is ready (failing at once when a
 * child exits) and stops the children.
 */
final class StackLauncher {

    /** Every stack listens on loopback only. */
    static final String HOST = "127.0.0.1";

    /** A local router's ingest URL for {@code source}. */
    static String ingestUrl(int routerPort, String source) {
        return "http://" + HOST + ":" + routerPort + "/v1/events/" + source;
    }

    /** A local router's MQTT listener. */
    static String mqttUrl(int mqttPort) {
        return "tcp://" + HOST + ":" + mqttPort;
    }

    /** A local role's Prometheus endpoint. */
    static String metricsUrl(int managementPort) {
        return "http://" + HOST + ":" + managementPort + "/metrics";
    }

    private static final HttpClient HTTP = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(2))
            .build();

    private StackLauncher() {}

    /** {@code <root>/sluice}, absolute; an error naming {@code --root} when it is not there to run. */
    static Path script(Path root) {
        Path script = root.resolve("sluice").toAbsolutePath().normalize();
        if (!Files.isExecutable(script)) {
            throw new IllegalStateException(script + " not found or not executable; pass --root <repository root>");
        }
        return script;
    }

    /**
     * {@code <script> <role>} (e.g. {@code dev}, {@code router}) in the repository root, with {@code env}
     * added to its environment and {@code javaOpts}, when not null, as its SLUICE_JAVA_OPTS.
     */
    static Process sluice(Path script, String role, Map<String, String> env, String javaOpts, Path log)
            throws IOException {
        ProcessBuilder pb = new ProcessBuilder(script.toString(), role)
                .directory(script.getParent().toFile());
        pb.environment().putAll(env);
        if (javaOpts != null) {
            pb.environment().put("SLUICE_JAVA_OPTS", javaOpts);
        }
        return start(pb, log);
    }

    /** Starts {@code pb} with its output and errors appended to {@code log}. */
    static Process start(ProcessBuilder pb, Path log) throws IOException {
        return pb.redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                .start();
    }

    /** {@code topic} and its {@code .expired} and {@code .dlq} topics, with retention near the TTL. */
    static void createLiveTopics(KafkaBroker kafka, String topic, int partitions, Duration ttl) {
        for (String t : List.of(topic, Topics.expired(topic), Topics.deadLetter(topic))) {
            kafka.createTopic(t, partitions, Topics.liveRetention(ttl));
        }
    }

    /**
     * Checks {@code ready} every {@code every} until it holds. Before each check {@code alive} runs and
     * throws when a child has died; after {@code timeout} the wait fails with {@code notReady}'s message.
     */
    static void awaitReady(
            Duration timeout, Duration every, Runnable alive, BooleanSupplier ready, Supplier<String> notReady) {
        long until = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < until) {
            alive.run();
            if (ready.getAsBoolean()) {
                return;
            }
            pause(every.toMillis());
        }
        throw new IllegalStateException(notReady.get());
    }

    /** For {@link #awaitReady}: throws {@code died}'s message, given the exit value, for the first child that exited. */
    static Runnable noneExited(List<Process> children, IntFunction<String> died) {
        return () -> {
            for (Process p : children) {
                if (!p.isAlive()) {
                    throw new IllegalStateException(died.apply(p.exitValue()));
                }
            }
        };
    }

    /** A management endpoint's JSON when it answers 200, else null. */
    static JsonObject health(String url) {
        try {
            HttpResponse<String> r = HTTP.send(
                    HttpRequest.newBuilder(URI.create(url))
                            .timeout(Duration.ofSeconds(2))
                            .GET()
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            return r.statusCode() == 200 ? new JsonObject(r.body()) : null;
        } catch (IOException | RuntimeException e) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    /** Whether something accepts connections on the loopback port. */
    static boolean listening(int port) {
        try {
            new Socket(HOST, port).close();
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /** This JVM's children whose {@link ProcessCpu#name} is one of {@code names} (the broker, Redis, ...). */
    static List<ProcessHandle> childrenNamed(Set<String> names) {
        return ProcessHandle.current()
                .children()
                .filter(h -> names.contains(ProcessCpu.name(h)))
                .toList();
    }

    /**
     * SIGTERM to every child, then up to {@code grace} for each to exit before SIGKILL (and up to
     * 10 s for the killed one to be gone). Interrupted, it kills what is left and keeps the interrupt.
     */
    static void stop(List<Process> children, Duration grace) {
        for (Process p : children) {
            p.destroy();
        }
        for (Process p : children) {
            try {
                if (!p.waitFor(grace.toMillis(), TimeUnit.MILLISECONDS)) {
                    p.destroyForcibly();
                    p.waitFor(10, TimeUnit.SECONDS);
                }
            } catch (InterruptedException e) {
                p.destroyForcibly();
                Thread.currentThread().interrupt();
            }
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
}
