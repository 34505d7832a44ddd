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

    public static final String MISSING =
            "no chromium, chromium-browser or google-chrome on PATH (apt-get install chromium)";
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

    /**
     * Saves a screenshot of the page after {@code budgetMillis} of virtual time, for a person to look
     * at; false when this Chromium hung instead (it does on some machines with --screenshot, where
     * --dump-dom of the same page works), so the artefact is missing but the test's checks, made on
     * the DOM, stand.
     */
    public boolean screenshot(String url, int budgetMillis, Path png, Path workDir) throws Exception {
        try {
            runOnce(
                    workDir,
                    List.of(
                            "--virtual-time-budget=" + budgetMillis,
                            "--window-size=1280,1000",
                            "--screenshot=" + png.toAbsolutePath(),
                            url),
                    // A screenshot that works takes 2-3 s (5-8 s on a busy machine); one that hangs never ends.
                    15);
        } catch (Hung hung) {
            Files.writeString(
                    workDir.resolve("screenshot-missing.txt"), hung.getMessage() + "\n", StandardCharsets.UTF_8);
            return false;
        }
        if (!Files.isRegularFile(png)) {
            throw new IllegalStateException("chromium wrote no screenshot at " + png);
        }
        return true;
    }

    private String run(Path workDir, List<String> args) throws Exception {
        // A headless Chromium now and then never exits after its work (seen once in several CI runs, on a
        // page whose event stream had ended). It is told to stop navigating after 20 s (--timeout) and,
        // if it still hangs, is killed and run once more with a fresh profile; a second hang fails the test.
        try {
            return runOnce(workDir, args, 60);
        } catch (Hung first) {
            return runOnce(workDir, args, 60);
        }
    }

    /** A browser that did not exit in time. */
    private static final class Hung extends IllegalStateException {
        private static final long serialVersionUID = 1L;

        Hung(String message) {
            super(message);
        }
    }

    private String runOnce(Path workDir, List<String> args, int waitSeconds) throws Exception {
        Files.createDirectories(workDir);
        // A profile of its own for every run: a browser still shutting down holds its profile's lock.
        Path profile = Files.createTempDirectory(workDir.toAbsolutePath(), "profile-");
        List<String> cmd = new ArrayList<>(List.of(
                binary.toString(),
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-dev-shm-usage",
                "--no-first-run",
                "--timeout=20000",
                "--user-data-dir=" + profile));
        cmd.addAll(args);
        Path out = workDir.resolve("chromium.out");
        Process p = new ProcessBuilder(cmd)
                .redirectOutput(out.toFile())
                .redirectError(workDir.resolve("chromium.err").toFile())
                .start();
        if (!p.waitFor(waitSeconds, TimeUnit.SECONDS)) {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
            throw new Hung("chromium did not finish within " + waitSeconds + " s: " + String.join(" ", cmd));
        }
        return Files.readString(out, StandardCharsets.UTF_8);
    }
}
