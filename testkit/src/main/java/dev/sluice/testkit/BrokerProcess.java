package dev.sluice.testkit;

import dev.sluice.testkit.broker.BrokerMain;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.lang.ProcessBuilder.Redirect;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The child JVM of one Kafka node: {@code BrokerMain} on the broker's own classpath, with the
 * node's server.properties, in the node's directory. Its stdin is a pipe this object holds open:
 * when this JVM exits, even by SIGKILL, the pipe closes and the node shuts itself down (a paused
 * node only once it is resumed, or when the next testkit JVM sweeps it up; see {@link Leftovers}).
 *
 * <p>A node that is stopped or killed keeps its ports bound but not listening (see
 * {@link PortHolds}), so clients get "connection refused" and nobody takes them before a restart.
 */
final class BrokerProcess {

    private static final Logger LOG = LoggerFactory.getLogger(BrokerProcess.class);

    private static final Duration START_TIMEOUT = Duration.ofSeconds(60);
    private static final Duration STOP_TIMEOUT = Duration.ofSeconds(30);
    private static final int LOG_TAIL_LINES = 40;
    /**
     * Heap and collector of every broker (serial GC: fewest threads on a small machine). The JIT
     * stays fully tiered unless the node's flags say otherwise (C1-only starts about 0.3 s sooner but
     * slows the broker down for load tests and dev mode).
     */
    private static final List<String> MEMORY_FLAGS = List.of("-Xms64m", "-Xmx512m", "-XX:+UseSerialGC");

    private final String name;
    private final Path dir;
    private final Path logFile;
    private final int[] ports;
    /** The java command and its flags, without class-data sharing. */
    private final List<String> jvm;
    /** The classpath, the main class and its arguments. */
    private final List<String> main;

    private final Optional<BrokerCds> cds;
    private final PortHolds portHolds = new PortHolds();

    private Process process;
    private boolean paused;

    /**
     * @param name      how messages name this node
     * @param dir       the node's own directory: its config, its log, its data below it
     * @param configFile the server.properties, written already
     * @param clusterId the cluster id of a replicated cluster's node, or null for a standalone node
     * @param jvmFlags  flags added to the defaults (the environment's {@value KafkaBroker#JAVA_OPTS_ENV} still wins)
     * @param ports     the ports to hold while the node is down
     */
    BrokerProcess(String name, Path dir, Path configFile, String clusterId, List<String> jvmFlags, int... ports) {
        this.name = name;
        this.dir = dir;
        this.logFile = dir.resolve("broker.log");
        this.ports = ports.clone();
        // Later flags win, so the environment's override the defaults.
        String extra = System.getenv(KafkaBroker.JAVA_OPTS_ENV);
        List<String> extraFlags = extra == null || extra.isBlank()
                ? List.of()
                : List.of(extra.trim().split("\\s+"));
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(MEMORY_FLAGS);
        cmd.addAll(List.of(
                "-XX:-UsePerfData",
                "-XX:+ExitOnOutOfMemoryError",
                // Its pauses stall every producer and consumer at once; keep them on record.
                "-Xlog:gc:file=" + dir.resolve("gc.log") + ":utctime,uptime,level,tags",
                "-Djava.awt.headless=true"));
        cmd.addAll(jvmFlags);
        cmd.addAll(extraFlags);
        this.jvm = List.copyOf(cmd);
        String classpath = BrokerClasspath.resolve();
        // One archive for single brokers and cluster nodes alike: a node's JIT flags do not change
        // which classes it loads at start, and the JVM maps the archive under either.
        this.cds = BrokerCds.of(classpath, MEMORY_FLAGS, extraFlags);
        List<String> main = new ArrayList<>(List.of("-cp", classpath, BrokerMain.MAIN_CLASS, configFile.toString()));
        if (clusterId != null) {
            main.add(clusterId);
        }
        this.main = List.copyOf(main);
    }

    Path logFile() {
        return logFile;
    }

    /** Starts the JVM; the future completes when the node is ready, or fails when it exits first. */
    synchronized CompletableFuture<Void> launch() {
        if (process != null) {
            throw new IllegalStateException(name + " is running already");
        }
        portHolds.release();
        List<String> sharing = cds.map(BrokerCds::flags).orElse(List.of());
        List<String> command = new ArrayList<>(jvm);
        command.addAll(sharing);
        command.addAll(main);
        Process started;
        try {
            started = new ProcessBuilder(command)
                    .directory(dir.toFile())
                    .redirectInput(Redirect.PIPE)
                    .redirectOutput(Redirect.PIPE)
                    .redirectError(Redirect.appendTo(logFile.toFile()))
                    .start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start the JVM of " + name, e);
        }
        process = started;
        paused = false;
        cds.ifPresent(c -> c.started(sharing, started.pid()));
        Leftovers.recordServer(dir, started);
        CompletableFuture<Void> ready = new CompletableFuture<>();
        Thread reader = new Thread(() -> watchStdout(started, ready), "sluice-kafka-" + ports[0] + "-stdout");
        reader.setDaemon(true);
        reader.start();
        return ready;
    }

    /** Waits (at most 60 s) for what {@link #launch()} returned; kills the node if it is not ready by then. */
    void awaitReady(CompletableFuture<Void> ready, long launchedAtNanos) {
        try {
            ready.get(START_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException | ExecutionException e) {
            kill();
            String why = e instanceof TimeoutException
                    ? "was not ready within " + START_TIMEOUT
                    : e.getCause().getMessage();
            throw new IllegalStateException(
                    name + " " + why + "; its log:" + System.lineSeparator() + TempDirs.tail(logFile, LOG_TAIL_LINES),
                    e);
        } catch (InterruptedException e) {
            kill();
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while starting " + name, e);
        }
        LOG.info("{} ready in {} ms", name, TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - launchedAtNanos));
    }

    /** Starts the node and blocks until it is ready. */
    void start() {
        long launchedAt = System.nanoTime();
        awaitReady(launch(), launchedAt);
    }

    /** Stops the node gracefully (closing its stdin), forcibly after 30 s; resumes it first if paused. */
    void stop() {
        Process running;
        synchronized (this) {
            resume();
            running = process;
        }
        if (running == null) {
            return;
        }
        try {
            running.getOutputStream().close();
        } catch (IOException e) {
            LOG.debug("closing the stdin of {} failed", name, e);
        }
        Signals.awaitExitOrKill(
                running, STOP_TIMEOUT, () -> LOG.warn("{} did not stop within {}; killing it", name, STOP_TIMEOUT));
        down(running);
    }

    /** Kills the node with SIGKILL, paused or not: no shutdown, no flush; its data stays on disk as it was. */
    void kill() {
        Process running = current();
        if (running == null) {
            return;
        }
        running.destroyForcibly();
        try {
            if (!running.waitFor(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
                throw new IllegalStateException(name + " did not die within " + STOP_TIMEOUT + " of SIGKILL");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while killing " + name, e);
        }
        down(running);
    }

    /** Freezes the node with SIGSTOP: its sockets stay open and silent, as in a long GC pause or a hung host. */
    synchronized void pause() {
        if (process == null || !process.isAlive()) {
            throw new IllegalStateException(name + " is not running");
        }
        if (!paused) {
            signal(process, "STOP");
            paused = true;
        }
    }

    /** Lets a paused node run on with SIGCONT. */
    synchronized void resume() {
        if (process != null && paused) {
            signal(process, "CONT");
            paused = false;
        }
    }

    synchronized boolean isRunning() {
        return process != null && process.isAlive();
    }

    synchronized boolean isPaused() {
        return paused && isRunning();
    }

    /** The node's process id while it runs. */
    synchronized long pid() {
        if (process == null) {
            throw new IllegalStateException(name + " is not running");
        }
        return process.pid();
    }

    /** Releases the held ports; call when the node is stopped for good. */
    void releasePorts() {
        portHolds.release();
    }

    @Override
    public String toString() {
        return name;
    }

    /** The node's process, or null when it is down. */
    private synchronized Process current() {
        return process;
    }

    private synchronized void down(Process gone) {
        if (process == gone) {
            process = null;
            paused = false;
            portHolds.hold(ports);
        }
    }

    private void signal(Process target, String signal) {
        try {
            Process kill = new ProcessBuilder("kill", "-" + signal, Long.toString(target.pid()))
                    .redirectErrorStream(true)
                    .start();
            if (!kill.waitFor(10, TimeUnit.SECONDS) || kill.exitValue() != 0) {
                throw new IllegalStateException("kill -" + signal + " " + target.pid() + " failed: "
                        + new String(kill.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim());
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot send SIG" + signal + " to " + name, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while sending SIG" + signal + " to " + name, e);
        }
    }

    /** Completes {@code ready} on the ready line; fails it if the process ends first. */
    private static void watchStdout(Process child, CompletableFuture<Void> ready) {
        try (BufferedReader out =
                new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = out.readLine()) != null) {
                if (line.equals(BrokerMain.READY_LINE)) {
                    ready.complete(null);
                }
            }
        } catch (IOException e) {
            LOG.debug("reading a broker's stdout failed", e);
        }
        if (!ready.isDone()) {
            String code;
            try {
                code = Integer.toString(child.waitFor());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                code = "unknown";
            }
            ready.completeExceptionally(new IllegalStateException("exited with code " + code + " before it was ready"));
        }
    }
}
