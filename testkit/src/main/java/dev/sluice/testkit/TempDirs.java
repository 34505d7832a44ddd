package dev.sluice.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;

/** Temporary directories owned by one testkit component. */
final class TempDirs {

    private TempDirs() {
    }

    /** A new temp dir owned by this JVM; first removes what dead testkit JVMs left behind. */
    static Path create(String component) {
        try {
            Path dir = Files.createTempDirectory("sluice-" + component + "-");
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
