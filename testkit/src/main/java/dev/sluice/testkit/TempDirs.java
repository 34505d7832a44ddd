package dev.sluice.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;

/**
 * Temporary directories owned by one testkit component: the broker's log, PostgreSQL's data,
 * Redis's files. They go under {@code SLUICE_TESTKIT_DIR} (or the system property
 * {@code sluice.testkit.dir}) when set, else under {@code java.io.tmpdir}. On a machine whose
 * disk stalls writers during writeback, a RAM disk ({@code SLUICE_TESTKIT_DIR=/dev/shm}) keeps
 * those stalls out of what a co-located benchmark measures.
 */
final class TempDirs {

    static final String DIR_ENV = "SLUICE_TESTKIT_DIR";
    static final String DIR_PROPERTY = "sluice.testkit.dir";

    private TempDirs() {}

    /** Where the components' directories go: the property, else the environment variable, else null (java.io.tmpdir). */
    static Path parent() {
        String dir = System.getProperty(DIR_PROPERTY);
        if (dir == null || dir.isBlank()) {
            dir = System.getenv(DIR_ENV);
        }
        return dir == null || dir.isBlank() ? null : Path.of(dir);
    }

    /** A new temp dir owned by this JVM; first removes what dead testkit JVMs left behind. */
    static Path create(String component) {
        try {
            Path parent = parent();
            String prefix = "sluice-" + component + "-";
            Path dir = parent == null
                    ? Files.createTempDirectory(prefix)
                    : Files.createTempDirectory(Files.createDirectories(parent), prefix);
            Leftovers.sweepOnce(dir.getParent());
            Leftovers.recordOwner(dir);
            return dir;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create a temp dir for " + component, e);
        }
    }

    /** Deletes the directory and everything below it; a missing directory is fine. */
    static void delete(Path dir) {
        if (dir == null || !Files.exists(dir)) {
            return;
        }
        try {
            Files.walkFileTree(dir, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                    Files.deleteIfExists(file);
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult visitFileFailed(Path file, IOException e) throws IOException {
                    if (e instanceof NoSuchFileException) {
                        return FileVisitResult.CONTINUE;
                    }
                    throw e;
                }

                @Override
                public FileVisitResult postVisitDirectory(Path directory, IOException e) throws IOException {
                    if (e != null && !(e instanceof NoSuchFileException)) {
                        throw e;
                    }
                    Files.deleteIfExists(directory);
                    return FileVisitResult.CONTINUE;
                }
            });
        } catch (IOException e) {
            throw new UncheckedIOException("cannot delete " + dir, e);
        }
    }

    /** The last lines of a log file, for error messages; empty when there is none. */
    static String tail(Path file, int lines) {
        try {
            if (file == null || !Files.exists(file)) {
                return "";
            }
            var all = Files.readAllLines(file);
            return String.join(System.lineSeparator(), all.subList(Math.max(0, all.size() - lines), all.size()));
        } catch (IOException | UncheckedIOException e) {
            return "(cannot read " + file + ": " + e + ")";
        }
    }
}
