package dev.sluice.testkit;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.lang.ProcessBuilder.Redirect;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import redis.embedded.core.ExecutableProvider;

/**
 * A real Redis: the server named by {@value #URL_ENV} when that is set; otherwise a
 * {@code redis-server} started on a free loopback port without persistence, taken from the
 * {@code PATH} if there is one there and else from the binaries packaged in Maven
 * (com.github.codemonstur:embedded-redis, Redis 6.2 for Linux, macOS and Windows).
 */
public final class Redis extends RestartableServer {

    /** {@code redis://[user:password@]host:port[/db]} of an existing server to use instead. */
    public static final String URL_ENV = "SLUICE_REDIS_URL";

    private static final Logger LOG = LoggerFactory.getLogger(Redis.class);
    private static final String EXECUTABLE = "redis-server";
    private static final int DEFAULT_PORT = 6379;
    private static final Duration START_TIMEOUT = Duration.ofSeconds(30);
    private static final Duration STOP_TIMEOUT = Duration.ofSeconds(10);
    private static final Duration PROBE_INTERVAL = Duration.ofMillis(20);

    private final String uri;
    private final int port;
    /** Temp dir of a server this object runs; null for a server named by the environment. */
    private final Path dir;

    private final Path executable;
    private Process process;

    private Redis(String uri, int port, Path dir, Path executable) {
        this.uri = uri;
        this.port = port;
        this.dir = dir;
        this.executable = executable;
    }

    /** The server named by {@value #URL_ENV}, else a new local one. */
    public static Redis startOrFromEnv() {
        return startOrFrom(System::getenv);
    }

    static Redis startOrFrom(Function<String, String> env) {
        return fromEnvOr(env, URL_ENV, Redis::fromUri, Redis::startLocal);
    }

    /** An existing server; {@link #stop()} and {@link #restart()} are not supported on it. */
    public static Redis fromUri(String uri) {
        URI parsed = UriParts.parse(uri, "redis", "rediss");
        return new Redis(uri, parsed.getPort() == -1 ? DEFAULT_PORT : parsed.getPort(), null, null);
    }

    /** A new {@code redis-server} (from the PATH, else the packaged one) on a free port. */
    public static Redis startLocal() {
        Path dir = TempDirs.create("redis");
        Redis redis;
        try {
            int port = Ports.freePort();
            redis = new Redis("redis://" + Ports.LOOPBACK_HOST + ":" + port, port, dir, findExecutable(dir));
        } catch (RuntimeException e) {
            TempDirs.delete(dir);
            throw e;
        }
        return launched(redis);
    }

    /** {@code redis://127.0.0.1:PORT} (or the URI from the environment, as given). */
    public String uri() {
        return uri;
    }

    public int port() {
        return port;
    }

    /** The {@code redis-server} binary this object runs; null for a server from the environment. */
    public Path executable() {
        return executable;
    }

    /** Stops the server (SIGTERM, then SIGKILL after 10 s). Nothing is persisted: a restart is empty. */
    @Override
    public synchronized void stop() {
        require("stop");
        Process running = process;
        process = null;
        if (running == null) {
            return;
        }
        running.destroy();
        Signals.awaitExitOrKill(running, STOP_TIMEOUT, () -> {});
    }

    /** Freezes the server (SIGSTOP): connections stay open and nothing is answered, as in a stall. */
    public synchronized void pause() {
        signal("STOP");
    }

    /** Lets a paused server go on (SIGCONT). */
    public synchronized void resume() {
        signal("CONT");
    }

    private void signal(String name) {
        require(name.toLowerCase(java.util.Locale.ROOT));
        if (process == null) {
            throw new IllegalStateException("not running: " + this);
        }
        Signals.send(process.toHandle(), name);
    }

    @Override
    public synchronized boolean isRunning() {
        return dir == null || (process != null && process.isAlive());
    }

    /** Closing stops a local server and deletes its temp dir; it does nothing to a server from the environment. */
    @Override
    void shutDown() {
        if (dir != null) {
            stop();
        }
    }

    @Override
    void release() {
        TempDirs.delete(dir);
    }

    @Override
    public String toString() {
        return "Redis[" + UriParts.redact(uri) + "]";
    }

    @Override
    void require(String operation) {
        if (dir == null) {
            throw new UnsupportedOperationException(
                    operation + " is only supported on a local redis-server, not on " + URL_ENV);
        }
    }

    @Override
    synchronized void launch() {
        long startedAt = System.nanoTime();
        Path log = dir.resolve("redis.log");
        Process started;
        try {
            started = new ProcessBuilder(List.of(
                            executable.toString(),
                            "--port",
                            Integer.toString(port),
                            "--bind",
                            Ports.LOOPBACK_HOST,
                            "--save",
                            "",
                            "--appendonly",
                            "no",
                            "--daemonize",
                            "no",
                            "--dir",
                            dir.toString()))
                    .directory(dir.toFile())
                    .redirectInput(Redirect.PIPE)
                    .redirectErrorStream(true)
                    .redirectOutput(Redirect.appendTo(log.toFile()))
                    .start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot run " + executable, e);
        }
        process = started;
        Leftovers.recordServer(dir, started);
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        while (!answersPing()) {
            if (!started.isAlive() || System.nanoTime() > deadline) {
                started.destroyForcibly();
                process = null;
                String why = started.isAlive() ? "did not answer PING within " + START_TIMEOUT : "exited";
                throw new IllegalStateException(executable + " on port " + port + " " + why + "; log:"
                        + System.lineSeparator() + TempDirs.tail(log, 40));
            }
            try {
                Thread.sleep(PROBE_INTERVAL.toMillis());
            } catch (InterruptedException e) {
                started.destroyForcibly();
                process = null;
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while starting Redis", e);
            }
        }
        LOG.info(
                "Redis ({}) ready on port {} in {} ms",
                executable,
                port,
                Duration.ofNanos(System.nanoTime() - startedAt).toMillis());
    }

    private boolean answersPing() {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(Ports.loopback(), port), 1_000);
            socket.setSoTimeout(1_000);
            OutputStream out = socket.getOutputStream();
            out.write("PING\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = socket.getInputStream();
            byte[] reply = in.readNBytes(7);
            return "+PONG\r\n".equals(new String(reply, StandardCharsets.US_ASCII));
        } catch (IOException e) {
            return false;
        }
    }

    /** {@code redis-server} from the PATH, else the binary packaged for this OS, copied into {@code dir}. */
    private static Path findExecutable(Path dir) {
        String path = System.getenv("PATH");
        if (path != null) {
            for (String entry : path.split(File.pathSeparator)) {
                if (entry.isBlank()) {
                    continue;
                }
                Path candidate = Path.of(entry, EXECUTABLE);
                if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
                    return candidate;
                }
            }
        }
        try {
            return ExecutableProvider.newJarResourceProvider(dir.toFile()).get().toPath();
        } catch (IOException | RuntimeException e) {
            throw new IllegalStateException(
                    "no " + EXECUTABLE + " on the PATH and no packaged one for " + System.getProperty("os.name") + "/"
                            + System.getProperty("os.arch"),
                    e);
        }
    }
}
