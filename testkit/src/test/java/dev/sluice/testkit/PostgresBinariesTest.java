package dev.sluice.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import java.io.IOException;
import java.net.URL;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.Test;

/**
 * The build's OS/CPU profile put exactly this machine's PostgreSQL binaries on the classpath: the
 * archive embedded PostgreSQL unpacks for this OS and architecture is there, and no other platform's.
 */
class PostgresBinariesTest {

    private static final List<String> ALL = List.of(
            "postgres-linux-x86_64.txz",
            "postgres-linux-arm_64.txz",
            "postgres-darwin-x86_64.txz",
            "postgres-darwin-arm_64.txz",
            "postgres-windows-x86_64.txz",
            "postgres-linux-x86_64-alpine_linux.txz");

    /** The archive name embedded PostgreSQL looks for on this machine. */
    private static String expected() {
        String os = System.getProperty("os.name").toLowerCase(Locale.ROOT);
        String arch = System.getProperty("os.arch");
        String system = os.contains("mac") ? "darwin" : os.contains("linux") ? "linux" : os;
        String cpu = switch (arch) {
            case "amd64", "x86_64" -> "x86_64";
            case "aarch64", "arm64" -> "arm_64";
            default -> arch;
        };
        return "postgres-" + system + "-" + cpu + ".txz";
    }

    @Test
    void onlyThisMachinesPostgresBinariesAreOnTheClasspath() throws IOException {
        String mine = expected();
        assertNotNull(getClass().getClassLoader().getResource(mine), mine + " is on the classpath");
        List<String> present = new ArrayList<>();
        for (String archive : ALL) {
            List<URL> found = Collections.list(getClass().getClassLoader().getResources(archive));
            if (!found.isEmpty()) {
                present.add(archive);
            }
        }
        assertEquals(List.of(mine), present, "one platform's binaries, this machine's");
    }
}
