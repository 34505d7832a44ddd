package dev.sluice.loadgen;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * CPU time of processes and of one process's threads, from {@code /proc} (user + system time),
 * so the generator's own cost and each Sluice process's cost can be reported apart. Where
 * {@code /proc} is missing, falls back to {@link ProcessHandle.Info#totalCpuDuration()} and
 * reports no threads.
 */
final class ProcessCpu {

    /** Linux's USER_HZ: /proc times are in 1/100 s on every mainstream architecture. */
    private static final long NANOS_PER_TICK = 10_000_000L;

    /** One process at one instant. */
    record Proc(long pid, String name, long cpuNanos) {}

    private ProcessCpu() {}

    /** The roots and all their descendants now, by pid. */
    static Map<Long, Proc> snapshot(List<ProcessHandle> roots) {
        Map<Long, Proc> out = new LinkedHashMap<>();
        for (ProcessHandle root : roots) {
            List<ProcessHandle> all = new ArrayList<>();
            all.add(root);
            root.descendants().forEach(all::add);
            for (ProcessHandle p : all) {
                long cpu = cpuNanos(p);
                if (cpu >= 0) {
                    out.put(p.pid(), new Proc(p.pid(), name(p), cpu));
                }
            }
        }
        return out;
    }

    /** CPU seconds spent between two snapshots, summed by process name. */
    static Map<String, Double> deltaByName(Map<Long, Proc> before, Map<Long, Proc> after) {
        Map<String, Double> out = new TreeMap<>();
        after.forEach((pid, p) -> {
            Proc b = before.get(pid);
            long d = p.cpuNanos() - (b == null ? 0 : b.cpuNanos());
            out.merge(p.name(), d / 1e9, Double::sum);
        });
        return out;
    }

    static long cpuNanos(ProcessHandle p) {
        long[] t = statTimes(Path.of("/proc", Long.toString(p.pid()), "stat"));
        if (t != null) {
            return (t[0] + t[1]) * NANOS_PER_TICK;
        }
        return p.info().totalCpuDuration().map(java.time.Duration::toNanos).orElse(-1L);
    }

    /** Per thread group (thread name without its trailing number), CPU nanoseconds now. */
    static Map<Long, String[]> threads(long pid) {
        Map<Long, String[]> out = new LinkedHashMap<>();
        Path dir = Path.of("/proc", Long.toString(pid), "task");
        if (!Files.isDirectory(dir)) {
            return out;
        }
        try (Stream<Path> tasks = Files.list(dir)) {
            tasks.forEach(task -> {
                String stat = read(task.resolve("stat"));
                long[] t = stat == null ? null : parseTimes(stat);
                if (t != null) {
                    out.put(Long.parseLong(task.getFileName().toString()), new String[] {
                        threadGroup(comm(stat)), Long.toString((t[0] + t[1]) * NANOS_PER_TICK)
                    });
                }
            });
        } catch (IOException | RuntimeException e) {
            return out;
        }
        return out;
    }

    /** CPU seconds the JIT compiler threads of these JVMs have used so far. */
    static double compilerSeconds(List<ProcessHandle> jvms) {
        double sum = 0;
        for (ProcessHandle jvm : jvms) {
            for (String[] t : threads(jvm.pid()).values()) {
                if (t[0].startsWith("C1 CompilerThre") || t[0].startsWith("C2 CompilerThre")) {
                    sum += Long.parseLong(t[1]) / 1e9;
                }
            }
        }
        return sum;
    }

    /** CPU seconds by thread group between two {@link #threads} snapshots, largest first. */
    static Map<String, Double> threadDelta(Map<Long, String[]> before, Map<Long, String[]> after) {
        Map<String, Double> sums = new TreeMap<>();
        after.forEach((tid, v) -> {
            String[] b = before.get(tid);
            long d = Long.parseLong(v[1]) - (b == null ? 0 : Long.parseLong(b[1]));
            sums.merge(v[0], d / 1e9, Double::sum);
        });
        Map<String, Double> sorted = new LinkedHashMap<>();
        sums.entrySet().stream()
                .filter(e -> e.getValue() > 0)
                .sorted((x, y) -> Double.compare(y.getValue(), x.getValue()))
                .forEach(e -> sorted.put(e.getKey(), e.getValue()));
        return sorted;
    }

    /** {@code vert.x-eventloo} stays, {@code GC Thread#1} → {@code GC Thread}, {@code C2 CompilerThre} stays. */
    static String threadGroup(String comm) {
        String s = comm.replaceAll("[#\\-_ ]*[0-9]+$", "");
        return s.isEmpty() ? comm : s;
    }

    static String name(ProcessHandle p) {
        String cmd = read(Path.of("/proc", Long.toString(p.pid()), "cmdline"));
        if (cmd == null) {
            cmd = p.info().commandLine().orElse("?");
        }
        cmd = cmd.replace('\0', ' ');
        int main = cmd.indexOf("dev.sluice.cli.Main");
        if (main >= 0) {
            String role =
                    cmd.substring(main + "dev.sluice.cli.Main".length()).trim().split(" ")[0];
            return switch (role) {
                case "router" -> "sluice router";
                case "executor" -> "sluice executor";
                default -> "sluice dev (router+executor)";
            };
        }
        if (cmd.contains("dev.sluice.testkit.broker") || cmd.contains("kafka.Kafka")) {
            return "kafka broker";
        }
        if (cmd.contains("postgres")) {
            return "postgresql";
        }
        if (cmd.contains("redis-server")) {
            return "redis";
        }
        if (cmd.contains("LeanRouter")) {
            return "lean router";
        }
        if (cmd.contains("dev.sluice.loadgen")) {
            return "generator";
        }
        String first = cmd.trim().split(" ")[0];
        return first.substring(first.lastIndexOf('/') + 1);
    }

    private static long[] statTimes(Path stat) {
        String s = read(stat);
        return s == null ? null : parseTimes(s);
    }

    /** utime and stime (fields 14 and 15 of /proc/.../stat), counted after the parenthesised name. */
    static long[] parseTimes(String stat) {
        int close = stat.lastIndexOf(')');
        if (close < 0) {
            return null;
        }
        String[] f = stat.substring(close + 2).trim().split(" ");
        if (f.length < 13) {
            return null;
        }
        try {
            return new long[] {Long.parseLong(f[11]), Long.parseLong(f[12])};
        } catch (NumberFormatException e) {
            return null;
        }
    }

    private static String comm(String stat) {
        int open = stat.indexOf('(');
        int close = stat.lastIndexOf(')');
        return open >= 0 && close > open ? stat.substring(open + 1, close) : "?";
    }

    private static String read(Path p) {
        try {
            return Files.readString(p, StandardCharsets.UTF_8);
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }
}
