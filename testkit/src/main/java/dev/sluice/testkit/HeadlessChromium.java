package dev.sluice.testkit;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * A real browser for tests: headless Chromium from the machine's PATH ({@code chromium}, the Debian
 * package, or {@code chromium-browser} / {@code google-chrome}). Tests that need it skip, with the
 * reason {@link #MISSING}, where none is installed.
 */
public final class HeadlessChromium {

    public static final String MISSING = "no chromium, chromium-browser or google-chrome on PATH (apt-get install chromium)";
    private static final List<String> NAMES = List.of("chromium", "chromium-browser", "google-chrome");

    private final Path binary;

    private HeadlessChromium(Path binary) {
        this.binary = binary;
    }

    /** The browser, if one is installed. */
    public static Optional<HeadlessChromium> find() {
        String path = System.getenv("PATH");
        if (path == null) {
            return Optional.empty();
        }
        for (String name : NAMES) {
            for (String dir : path.split(File.pathSeparator)) {
                Path p = Path.of(dir, name);
                if (Files.isExecutable(p)) {
                    return Optional.of(new HeadlessChromium(p));
                }
            }
        }
        return Optional.empty();
    }

    /** The page's DOM after its scripts ran for {@code budgetMillis} of virtual time. */
    public String dumpDom(String url, int budgetMillis, Path workDir) throws Exception {
        return run(workDir, List.of("--virtual-time-budget=" + budgetMillis, "--dump-dom", url));
    }

    /** Saves a screenshot of the page after {@code budgetMillis} of virtual time. */
    public void screenshot(String url, int budgetMillis, Path png, Path workDir) throws Exception {
        run(workDir, List.of("--virtual-time-budget=" + budgetMillis, "--window-size=1280,1000", "--screenshot=" + png.toAbsolutePath(), url));
        if (!Files.isRegularFile(png)) {
            throw new IllegalStateException("chromium wrote no screenshot at " + png);
        }
    }

    private String run(Path workDir, List<String> args) throws Exception {
        Files.createDirectories(workDir);
        // A profile of its own for every run: a browser still shutting down holds its profile's lock.
        Path profile = Files.createTempDirectory(workDir.toAbsolutePath(), "profile-");
        List<String> cmd = new ArrayList<>(List.of(binary.toString(), "--headless", "--no-sandbox", "--disable-gpu",
                "--disable-dev-shm-usage", "--no-first-run", "--user-data-dir=" + profile));
        cmd.addAll(args);
        Path out = workDir.resolve("chromium.out");
        Process p = new ProcessBuilder(cmd).redirectOutput(out.toFile()).redirectError(workDir.resolve("chromium.err").toFile()).start();
        if (!p.waitFor(90, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IllegalStateException("chromium did not finish within 90 s: " + String.join(" ", cmd));
        }
        return Files.readString(out, StandardCharsets.UTF_8);
    }
}
