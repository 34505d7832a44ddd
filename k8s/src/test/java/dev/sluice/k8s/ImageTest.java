package dev.sluice.k8s;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The Dockerfile's promises that can be checked without a Docker engine: multi-stage, a Java 17
 * runtime base, a numeric non-root user that the pods run as, and JVM flags identical between
 * the entry point and the AppCDS training run (an archive made with other flags is ignored).
 */
class ImageTest {

    private static final Path IMAGE = Repo.K8S.resolve("image");

    private static List<String> fromLines(String dockerfile) {
        return dockerfile.lines().filter(l -> l.startsWith("FROM ")).toList();
    }

    @Test
    void isMultiStageOnAJava17RuntimeAndRunsAsTheUserThePodsExpect() throws IOException {
        String dockerfile = Files.readString(IMAGE.resolve("Dockerfile"));
        List<String> froms = fromLines(dockerfile);
        assertTrue(froms.size() >= 2, "multi-stage: " + froms);
        assertTrue(dockerfile.contains("ARG JRE_IMAGE=eclipse-temurin:17-jre"), "JRE 17 runtime base");
        assertEquals("FROM ${JRE_IMAGE}", froms.get(froms.size() - 1));
        Matcher user = Pattern.compile("(?m)^USER (\\d+):(\\d+)$").matcher(dockerfile);
        assertTrue(user.find(), "a numeric USER");
        int uid = Integer.parseInt(user.group(1));
        assertTrue(uid > 0);
        for (String overlay : Repo.OVERLAYS) {
            for (ManifestRules.RoleContainer rc : new ManifestRules(Repo.rendered(overlay)).roleContainers()) {
                assertEquals(
                        uid,
                        rc.pod().path("securityContext").path("runAsUser").asInt(),
                        overlay + " " + Yaml.id(rc.deployment()) + " runs as the image's user");
            }
        }
    }

    @Test
    void trainingAndTimingHarnessCompiles() throws IOException {
        // The Dockerfile compiles and runs it; Maven does not build k8s/image, so check it here.
        javax.tools.JavaCompiler javac = javax.tools.ToolProvider.getSystemJavaCompiler();
        Path out = Files.createTempDirectory("startup-timing");
        try {
            java.io.StringWriter errors = new java.io.StringWriter();
            boolean ok = javac.getTask(
                            errors,
                            null,
                            null,
                            List.of(
                                    "-classpath",
                                    System.getProperty("java.class.path"),
                                    "-d",
                                    out.toString(),
                                    "-Xlint:all",
                                    "-Werror"),
                            null,
                            javac.getStandardFileManager(null, null, null)
                                    .getJavaFileObjects(
                                            IMAGE.resolve("StartupTiming.java").toFile()))
                    .call();
            assertTrue(ok, errors.toString());
            assertTrue(Files.isRegularFile(out.resolve("StartupTiming.class")));
        } finally {
            try (var files = Files.walk(out)) {
                files.sorted(java.util.Comparator.reverseOrder())
                        .forEach(p -> p.toFile().delete());
            }
        }
    }

    @Test
    void entryPointUsesTheFlagsTheArchivesWereTrainedWith() throws IOException {
        String timing = Files.readString(IMAGE.resolve("StartupTiming.java"));
        Matcher m = Pattern.compile("CONTAINER_FLAGS = List\\.of\\(([^;]*)\\);").matcher(timing);
        assertTrue(m.find());
        List<String> flags = new ArrayList<>();
        Matcher f = Pattern.compile("\"(-XX:[^\"]+)\"").matcher(m.group(1));
        while (f.find()) {
            flags.add(f.group(1));
        }
        assertTrue(flags.size() >= 3, flags.toString());
        String entry = Files.readString(IMAGE.resolve("sluice-entrypoint.sh"));
        for (String flag : flags) {
            assertTrue(entry.contains(flag), "entry point lacks " + flag);
        }
        assertTrue(entry.contains("-XX:SharedArchiveFile=/app/cds/$1.jsa"));
        assertTrue(Files.readString(IMAGE.resolve("Dockerfile")).contains("StartupTiming train /app/cds"));
    }
}
