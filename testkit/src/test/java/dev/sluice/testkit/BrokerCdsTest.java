package dev.sluice.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The broker's class-data sharing archive: who writes it, and that a broken one is never used. */
class BrokerCdsTest {

    private static final List<String> MEMORY = List.of("-Xmx64m", "-XX:+UseSerialGC");

    /** A jar for the classpath: JUnit's own. */
    private static String jar() throws Exception {
        return Path.of(Test.class
                        .getProtectionDomain()
                        .getCodeSource()
                        .getLocation()
                        .toURI())
                .toString();
    }

    @Test
    void aClasspathWithADirectoryHasNoArchive(@TempDir Path dir) throws Exception {
        assertTrue(BrokerCds.of(dir, jar() + java.io.File.pathSeparator + dir, MEMORY, List.of())
                .isEmpty());
    }

    @Test
    void theFirstStartWritesAtExitAndAnotherWhileItRunsNeither(@TempDir Path dir) throws Exception {
        BrokerCds cds = BrokerCds.of(dir, jar(), MEMORY, List.of()).orElseThrow();
        List<String> first = cds.flags();
        assertEquals(List.of("-XX:ArchiveClassesAtExit=" + cds.written()), first);
        cds.started(first, ProcessHandle.current().pid());

        assertEquals(List.of(), cds.flags(), "the writer still runs");
        assertFalse(Files.exists(cds.archive()));
    }

    @Test
    void aCutOffArchiveOfAWriterThatIsGoneIsDeletedNotUsed(@TempDir Path dir) throws Exception {
        BrokerCds cds = BrokerCds.of(dir, jar(), MEMORY, List.of()).orElseThrow();
        // A writer killed while it wrote: its lock names a pid that no longer runs, its file is garbage.
        Process gone = new ProcessBuilder("true").start();
        gone.waitFor();
        Files.writeString(cds.lock(), Long.toString(gone.pid()), StandardCharsets.US_ASCII);
        Files.write(cds.written(), new byte[4096]);

        List<String> flags = cds.flags();

        assertFalse(Files.exists(cds.archive()), "never renamed into place");
        assertEquals(List.of("-XX:ArchiveClassesAtExit=" + cds.written()), flags, "this start writes it anew");
        assertFalse(Files.exists(cds.written()), "the garbage is gone before the new write");
    }

    @Test
    void aJarOfAnotherSizeOrTimeGetsAnotherArchive(@TempDir Path dir) throws Exception {
        Path jar = Files.copy(Path.of(jar()), dir.resolve("copy.jar"));
        Path one = BrokerCds.of(dir, jar.toString(), MEMORY, List.of())
                .orElseThrow()
                .archive();
        Files.setLastModifiedTime(jar, java.nio.file.attribute.FileTime.fromMillis(0));
        Path two = BrokerCds.of(dir, jar.toString(), MEMORY, List.of())
                .orElseThrow()
                .archive();

        assertFalse(one.equals(two), one + " " + two);
    }
}
