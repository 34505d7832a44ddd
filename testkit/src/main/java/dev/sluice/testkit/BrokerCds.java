package dev.sluice.testkit;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A class-data sharing archive of the broker JVM's classes: a broker started with it maps the
 * classes it loads at start instead of reading and verifying them from the Kafka jars; on two busy
 * cores a start took 4.5-6.8 s with it against 6.8-8.0 s without.
 *
 * <p>The archive lives in testkit's directory ({@link TempDirs#parent()}), named by a hash of the JDK and of the
 * classpath's jars with their sizes and modification times (a rebuilt jar gets a new archive). A
 * broker that finds none and takes the lock file writes one when it exits normally, to a file of
 * its own. The next start after that writer is gone checks what it wrote with a short JVM that
 * must map it ({@code -Xshare:on -version}), and only then renames it into place: a cut-off
 * archive (its writer killed mid-write) would crash every JVM that maps it. Anything unusable is
 * deleted and the broker starts without sharing, as before.
 */
final class BrokerCds {

    private static final Logger LOG = LoggerFactory.getLogger(BrokerCds.class);
    private static final Path DIR = Optional.ofNullable(TempDirs.parent())
            .orElse(Path.of(System.getProperty("java.io.tmpdir")))
            .resolve("sluice-broker-cds");
    private static final String WRITE_FLAG = "-XX:ArchiveClassesAtExit=";

    private final Path dir;
    private final String classpath;
    private final List<String> memoryFlags;
    private final Path archive;
    private final Path written;
    private final Path lock;

    private BrokerCds(Path dir, String classpath, List<String> memoryFlags, String name) {
        this.dir = dir;
        this.classpath = classpath;
        this.memoryFlags = List.copyOf(memoryFlags);
        this.archive = dir.resolve(name + ".jsa");
        this.written = dir.resolve(name + ".written.jsa");
        this.lock = dir.resolve(name + ".lock");
    }

    /**
     * The archive of brokers on {@code classpath} started with {@code extraFlags}; empty where there can
     * be none (a classes directory on the path). {@code memoryFlags} (heap, collector) are those of
     * every broker: the check of a written archive runs with them too.
     */
    static Optional<BrokerCds> of(String classpath, List<String> memoryFlags, List<String> extraFlags) {
        return of(DIR, classpath, memoryFlags, extraFlags);
    }

    /** As {@link #of(String, List, List)}, the archive kept in {@code dir}. */
    static Optional<BrokerCds> of(Path dir, String classpath, List<String> memoryFlags, List<String> extraFlags) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            update(
                    sha,
                    System.getProperty("java.home") + "|" + System.getProperty("java.vm.version") + "|" + memoryFlags
                            + "|" + extraFlags);
            for (String entry : classpath.split(File.pathSeparator)) {
                Path jar = Path.of(entry);
                if (!Files.isRegularFile(jar)) {
                    // The JVM archives classes from jars only; with a directory on the path it refuses the dump.
                    return Optional.empty();
                }
                update(
                        sha,
                        entry + "|" + Files.size(jar) + "|"
                                + Files.getLastModifiedTime(jar).toMillis());
            }
            Files.createDirectories(dir);
            return Optional.of(new BrokerCds(
                    dir,
                    classpath,
                    memoryFlags,
                    HexFormat.of().formatHex(sha.digest()).substring(0, 24)));
        } catch (IOException | NoSuchAlgorithmException | RuntimeException e) {
            LOG.debug("no class-data sharing archive for the broker", e);
            return Optional.empty();
        }
    }

    /** The JVM flags of the next start: map the archive, or write it at exit, or neither. */
    synchronized List<String> flags() {
        try {
            if (Files.isRegularFile(archive)) {
                return List.of("-XX:SharedArchiveFile=" + archive);
            }
            if (Files.exists(lock) && writerGone()) {
                adoptWritten();
                Files.deleteIfExists(lock);
                if (Files.isRegularFile(archive)) {
                    return List.of("-XX:SharedArchiveFile=" + archive);
                }
            }
            Files.createFile(lock);
            Files.deleteIfExists(written);
            return List.of(WRITE_FLAG + written);
        } catch (FileAlreadyExistsException held) {
            return List.of();
        } catch (IOException | RuntimeException e) {
            LOG.debug("class-data sharing archive {} not used", archive, e);
            return List.of();
        }
    }

    /** After a start with {@code flags}: a writer records its pid in the lock, so that the next start can tell it is gone. */
    void started(List<String> flags, long pid) {
        if (flags.stream().anyMatch(f -> f.startsWith(WRITE_FLAG))) {
            try {
                Files.writeString(lock, Long.toString(pid), StandardCharsets.US_ASCII);
            } catch (IOException e) {
                LOG.debug("cannot write {}", lock, e);
            }
        }
    }

    Path archive() {
        return archive;
    }

    Path written() {
        return written;
    }

    Path lock() {
        return lock;
    }

    private boolean writerGone() throws IOException {
        String pid = Files.readString(lock, StandardCharsets.US_ASCII).trim();
        if (pid.isEmpty()) {
            // Taken a moment ago, its pid not written yet; or left so by a JVM that died in between.
            return Files.getLastModifiedTime(lock).toMillis() < System.currentTimeMillis() - 600_000;
        }
        return ProcessHandle.of(Long.parseLong(pid)).map(p -> !p.isAlive()).orElse(true);
    }

    /** Renames the archive the gone writer left into place if a JVM maps it; deletes it otherwise. */
    private void adoptWritten() throws IOException {
        if (!Files.isRegularFile(written)) {
            return;
        }
        if (maps(written)) {
            Files.move(written, archive, StandardCopyOption.ATOMIC_MOVE);
            LOG.info("class-data sharing archive for the broker JVM: {}", archive);
            deleteStale(dir);
        } else {
            Files.deleteIfExists(written);
        }
    }

    private boolean maps(Path candidate) {
        try {
            List<String> cmd = new ArrayList<>();
            cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
            cmd.addAll(memoryFlags);
            cmd.addAll(List.of("-Xshare:on", "-XX:SharedArchiveFile=" + candidate, "-cp", classpath, "-version"));
            Process p = new ProcessBuilder(cmd)
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                    .start();
            if (!p.waitFor(30, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return false;
            }
            return p.exitValue() == 0;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** Archives of earlier builds (jars since rebuilt) unused for a day: 50 MB each otherwise piles up. */
    private static void deleteStale(Path dir) {
        long dayAgo = System.currentTimeMillis() - TimeUnit.DAYS.toMillis(1);
        try (var files = Files.list(dir)) {
            for (Path f : files.toList()) {
                if (Files.getLastModifiedTime(f).toMillis() < dayAgo) {
                    Files.deleteIfExists(f);
                }
            }
        } catch (IOException e) {
            LOG.debug("cannot clean {}", dir, e);
        }
    }

    private static void update(MessageDigest sha, String text) {
        sha.update(text.getBytes(StandardCharsets.UTF_8));
    }
}
