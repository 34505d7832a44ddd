package dev.sluice.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TempDirsTest {

    @Test
    void componentsDirectoriesGoWhereTheSettingSays(@TempDir Path base) {
        Path ram = base.resolve("ram-disk");
        String before = System.getProperty(TempDirs.DIR_PROPERTY);
        System.setProperty(TempDirs.DIR_PROPERTY, ram.toString());
        try {
            Path dir = TempDirs.create("kafka");
            assertEquals(ram, dir.getParent());
            assertTrue(
                    Files.isDirectory(dir) && dir.getFileName().toString().startsWith("sluice-kafka-"), dir.toString());
            TempDirs.delete(dir);
        } finally {
            if (before == null) {
                System.clearProperty(TempDirs.DIR_PROPERTY);
            } else {
                System.setProperty(TempDirs.DIR_PROPERTY, before);
            }
        }
    }

    @Test
    void withoutTheSettingTheyGoUnderJavaIoTmpdir() {
        org.junit.jupiter.api.Assumptions.assumeTrue(
                System.getProperty(TempDirs.DIR_PROPERTY) == null && System.getenv(TempDirs.DIR_ENV) == null,
                "SLUICE_TESTKIT_DIR is set here: the default is not in play");
        Path dir = TempDirs.create("redis");
        try {
            assertEquals(
                    Path.of(System.getProperty("java.io.tmpdir"))
                            .toAbsolutePath()
                            .normalize(),
                    dir.getParent().toAbsolutePath().normalize());
        } finally {
            TempDirs.delete(dir);
        }
    }
}
