package dev.sluice.k8s;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * docs/configuration.md cannot drift from the code: every setting a process reads (through
 * {@code Settings.get…("key", …)} in main code) is in its table, and the table names no setting
 * nothing reads. Prefix families ({@code kafka.producer.*}, {@code scaler.*}) are one row.
 */
class ConfigurationDocTest {

    private static final Pattern READ =
            Pattern.compile("\\.get(?:Int|Long|Boolean|Duration)?\\(\\s*\"([a-z][a-z0-9.]+)\"");
    /** A table row's first cell, which may name several settings. */
    private static final Pattern ROW = Pattern.compile("(?m)^\\| (`[^|]+)\\|");

    private static final Pattern NAME = Pattern.compile("`([a-z][a-z0-9.*]+)`");

    @Test
    void everySettingTheCodeReadsIsDocumentedAndNoneIsDocumentedThatNothingReads() throws IOException {
        // Read other than by a literal key: logback's level from SLUICE_LOG_LEVEL, and dev mode's broker count
        // through a constant (DevStack.BROKERS).
        Set<String> read = new TreeSet<>(Set.of("log.level", "dev.brokers"));
        for (String module : List.of("core", "router", "executor", "cli", "keda-scalers")) {
            try (Stream<Path> files = Files.walk(Repo.ROOT.resolve(module).resolve("src/main/java"))) {
                for (Path f : files.filter(p -> p.toString().endsWith(".java")).toList()) {
                    Matcher m = READ.matcher(Files.readString(f));
                    while (m.find()) {
                        if (m.group(1).contains(".")) {
                            read.add(m.group(1));
                        }
                    }
                }
            }
        }
        String doc = Files.readString(Repo.ROOT.resolve("docs/configuration.md"));
        Set<String> documented = new TreeSet<>();
        Matcher m = ROW.matcher(doc);
        while (m.find()) {
            Matcher n = NAME.matcher(m.group(1));
            while (n.find()) {
                documented.add(n.group(1));
            }
        }
        Set<String> missing = new TreeSet<>();
        for (String key : read) {
            if (!documented.contains(key)
                    && documented.stream()
                            .noneMatch(d -> d.endsWith(".*") && key.startsWith(d.substring(0, d.length() - 1)))) {
                missing.add(key);
            }
        }
        assertEquals(Set.of(), missing, "read by the code but not in docs/configuration.md");
        Set<String> stale = new TreeSet<>();
        for (String d : documented) {
            if (!d.endsWith(".*") && !read.contains(d)) {
                stale.add(d);
            }
        }
        assertEquals(Set.of(), stale, "in docs/configuration.md but read by no code");
    }
}
