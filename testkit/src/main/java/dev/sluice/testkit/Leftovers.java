package dev.sluice.testkit;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Cleans up after test JVMs that died without running their shutdown hooks (SIGKILL, or a test
 * runner halting a fork whose build tool went away). Such a JVM leaves its temp dirs behind and,
 * unlike the Kafka broker (which exits when its stdin closes), PostgreSQL and Redis servers keep
 * running. Every temp dir records its owner JVM and the server process it runs; the first testkit
 * component a JVM starts stops the servers of dead owners and deletes their dirs.
 */
final class Leftovers {

    static final String OWNER_FILE = "owner.pid";
    static final String SERVER_FILE = "server.pid";

    private static final Logger LOG = LoggerFactory.getLogger(Leftovers.class);
    private static final String POSTMASTER_FILE = "data/postmaster.pid";
    private static boolean swept;

    private Leftovers() {}

    /** Records this JVM as the owner of {@code dir}. */
    static void recordOwner(Path dir) {
        write(dir.resolve(OWNER_FILE), ProcessHandle.current());
    }

    /** Records the server process that runs from {@code dir}. */
    static void recordServer(Path dir, Process server) {
        write(dir.resolve(SERVER_FILE), server.toHandle());
    }

    /** Once per JVM: stops orphaned servers and deletes the dirs of testkit JVMs that are gone. */
    static synchronized void sweepOnce(Path tempRoot) {
        if (swept) {
            return;
        }
        swept = true;
        sweep(tempRoot);
    }

    /** Stops orphaned servers and deletes the {@code sluice-*} dirs under {@code tempRoot} whose owner is gone. */
    static void sweep(Path tempRoot) {
        try (DirectoryStream<Path> dirs = Files.newDirectoryStream(tempRoot, "sluice-*")) {
            for (Path dir : dirs) {
                if (Files.isDirectory(dir) && ownerIsGone(dir)) {
                    clean(dir);
                }
            }
        } catch (IOException | RuntimeException e) {
            LOG.debug("sweeping leftovers in {} failed", tempRoot, e);
        }
    }

    private static boolean ownerIsGone(Path dir) {
        Path owner = dir.resolve(OWNER_FILE);
        return Files.isRegularFile(owner) && find(owner).isEmpty();
    }

    private static void clean(Path dir) {
        find(dir.resolve(SERVER_FILE)).ifPresent(server -> stop(server, dir));
        postmaster(dir).ifPresent(server -> stop(server, dir));
        try {
            TempDirs.delete(dir);
            LOG.info("removed {}, left behind by a JVM that is gone", dir);
        } catch (RuntimeException e) {
            LOG.debug("cannot remove {}", dir, e);
        }
    }

    private static void stop(ProcessHandle server, Path dir) {
        LOG.warn(
                "stopping {} (pid {}), orphaned by the JVM that started it from {}",
                server.info().command().orElse("a server"),
                server.pid(),
                dir);
        server.destroy();
        try {
            server.onExit().get(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            server.destroyForcibly();
        }
    }

    /** The PostgreSQL postmaster of an embedded server's data dir, if it still runs. */
    private static Optional<ProcessHandle> postmaster(Path dir) {
        Path pidFile = dir.resolve(POSTMASTER_FILE);
        try {
            if (!Files.isRegularFile(pidFile)) {
                return Optional.empty();
            }
            long pid = Long.parseLong(
                    Files.readAllLines(pidFile, StandardCharsets.UTF_8).get(0).trim());
            return ProcessHandle.of(pid)
                    .filter(ProcessHandle::isAlive)
                    .filter(p ->
                            p.info().command().map(c -> c.endsWith("postgres")).orElse(false));
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }

    /** The live process a pid file names: same pid and same start time, so a reused pid is not taken for it. */
    private static Optional<ProcessHandle> find(Path pidFile) {
        try {
            if (!Files.isRegularFile(pidFile)) {
                return Optional.empty();
            }
            List<String> fields = List.of(
                    Files.readString(pidFile, StandardCharsets.UTF_8).trim().split(" "));
            long pid = Long.parseLong(fields.get(0));
            long startedAt = fields.size() > 1 ? Long.parseLong(fields.get(1)) : -1;
            return ProcessHandle.of(pid)
                    .filter(ProcessHandle::isAlive)
                    .filter(p -> startedAt == -1 || startMillis(p) == startedAt);
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }

    private static void write(Path pidFile, ProcessHandle process) {
        try {
            Files.writeString(pidFile, process.pid() + " " + startMillis(process) + "\n", StandardCharsets.UTF_8);
        } catch (IOException e) {
            LOG.debug("cannot write {}", pidFile, e);
        }
    }

    private static long startMillis(ProcessHandle process) {
        return process.info().startInstant().map(Instant::toEpochMilli).orElse(-1L);
    }
}
