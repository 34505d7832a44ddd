package dev.sluice.testkit;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(value = 30, unit = TimeUnit.SECONDS)
class LeftoversTest {

    @TempDir
    Path root;

    @Test
    void stopsTheServerOfADeadOwnerAndDeletesItsDir() throws Exception {
        Process deadOwner = new ProcessBuilder("true").start();
        deadOwner.waitFor(10, TimeUnit.SECONDS);
        Process orphan = new ProcessBuilder("sleep", "60").start();
        try {
            Path dir = Files.createDirectory(root.resolve("sluice-redis-1"));
            Files.writeString(
                    dir.resolve(Leftovers.OWNER_FILE),
                    deadOwner.pid() + " "
                            + deadOwner
                                    .info()
                                    .startInstant()
                                    .map(i -> i.toEpochMilli())
                                    .orElse(-1L));
            Leftovers.recordServer(dir, orphan);

            Leftovers.sweep(root);

            Awaitility.await().atMost(Duration.ofSeconds(15)).until(() -> !orphan.isAlive());
            assertFalse(Files.exists(dir));
        } finally {
            orphan.destroyForcibly();
        }
    }

    @Test
    void leavesTheDirsOfLiveOwnersAndDirsWithoutOwnerAlone() throws Exception {
        Path mine = Files.createDirectory(root.resolve("sluice-kafka-1"));
        Leftovers.recordOwner(mine);
        Path starting = Files.createDirectory(root.resolve("sluice-kafka-2"));
        Path reusedPid = Files.createDirectory(root.resolve("sluice-kafka-3"));
        // This JVM's pid, but another start time: a recycled pid is not the owner.
        Files.writeString(
                reusedPid.resolve(Leftovers.OWNER_FILE), ProcessHandle.current().pid() + " 1");

        Leftovers.sweep(root);

        assertTrue(Files.exists(mine));
        assertTrue(Files.exists(starting));
        assertFalse(Files.exists(reusedPid));
    }
}
