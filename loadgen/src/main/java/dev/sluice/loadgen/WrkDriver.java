package dev.sluice.loadgen;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs the load driver (wrk or h2load) as a child process and measures the CPU it used. */
final class WrkDriver {

    private WrkDriver() {}

    /** The driver's command line for one run of {@code d}. */
    static List<String> command(WrkOptions o, Path lua, String url, Duration d) {
        if (!o.h2load()) {
            return List.of(
                    "wrk",
                    "-t" + o.threads(),
                    "-c" + o.connections(),
                    "-d" + d.toSeconds() + "s",
                    "--timeout",
                    "10s",
                    "--latency",
                    "-s",
                    lua.toString(),
                    url);
        }
        List<String> cmd = new ArrayList<>(List.of(
                "h2load",
                "-t" + o.threads(),
                "-c" + o.connections(),
                "-m" + o.streams(),
                "-D" + d.toSeconds(),
                "-d",
                lua.resolveSibling("body").toString(),
                "-H",
                "content-type: " + (o.batch() == 1 ? "application/json" : "application/x-ndjson")));
        if (o.h1()) {
            cmd.add("--h1");
        }
        cmd.add(url);
        return cmd;
    }

    static String run(WrkOptions o, Path lua, String url, Duration d, long[] cpuOut)
            throws IOException, InterruptedException {
        List<String> cmd = command(o, lua, url, d);
        Process p;
        try {
            p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        } catch (IOException e) {
            throw new IllegalStateException(
                    "cannot run " + cmd.get(0) + " (install it: apt-get install "
                            + (o.h2load() ? "nghttp2-client" : "wrk") + "): " + e.getMessage(),
                    e);
        }
        long reapedBefore = reapedChildrenCpuNanos();
        String text = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(d.toSeconds() + 60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IllegalStateException(cmd.get(0) + " did not finish");
        }
        if (cpuOut != null) {
            // wrk is the only child reaped in this window (the broker and the router run until the end).
            cpuOut[0] = reapedChildrenCpuNanos() - reapedBefore;
        }
        if (p.exitValue() != 0) {
            throw new IllegalStateException(cmd.get(0) + " exited with " + p.exitValue() + ":\n" + text);
        }
        return text;
    }

    /** CPU of this JVM's children that have exited and been waited for (cutime + cstime in /proc/self/stat). */
    static long reapedChildrenCpuNanos() {
        try {
            String stat = Files.readString(Path.of("/proc/self/stat"), StandardCharsets.UTF_8);
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).trim().split(" ");
            return (Long.parseLong(f[13]) + Long.parseLong(f[14])) * 10_000_000L;
        } catch (IOException | RuntimeException e) {
            return 0;
        }
    }
}
