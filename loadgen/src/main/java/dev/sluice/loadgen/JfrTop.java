package dev.sluice.loadgen;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Instant;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordedMethod;
import jdk.jfr.consumer.RecordedStackTrace;
import jdk.jfr.consumer.RecordedThread;
import jdk.jfr.consumer.RecordingFile;

/**
 * {@code jfr-top FILE.jfr}: where a profiled JVM spent its CPU, from the JFR execution samples —
 * samples by thread group, by code area (the package of the top frame), the hottest methods by
 * self time (top frame) and by total time (anywhere on the stack), and the hottest Sluice methods.
 * The same data as {@code jfr print --events jdk.ExecutionSample}, counted.
 */
public final class JfrTop {

    private JfrTop() {}

    /** Every sample of the recording. */
    public static void print(Path file, int top, PrintStream out) throws IOException {
        print(file, null, null, top, out);
    }

    /** The samples between {@code from} and {@code to} (either may be null: open-ended). */
    public static void print(Path file, Instant from, Instant to, int top, PrintStream out) throws IOException {
        Map<String, Long> self = new HashMap<>();
        Map<String, Long> total = new HashMap<>();
        Map<String, Long> sluice = new HashMap<>();
        Map<String, Long> threads = new HashMap<>();
        Map<String, Long> areas = new HashMap<>();
        long samples = 0;
        try (RecordingFile rf = new RecordingFile(file)) {
            while (rf.hasMoreEvents()) {
                RecordedEvent e = rf.readEvent();
                if (!e.getEventType().getName().equals("jdk.ExecutionSample")
                        || from != null && e.getStartTime().isBefore(from)
                        || to != null && e.getStartTime().isAfter(to)) {
                    continue;
                }
                RecordedStackTrace st = e.getStackTrace();
                if (st == null || st.getFrames().isEmpty()) {
                    continue;
                }
                samples++;
                RecordedThread t = e.getThread("sampledThread");
                threads.merge(t == null ? "?" : ProcessCpu.threadGroup(String.valueOf(t.getJavaName())), 1L, Long::sum);
                List<RecordedFrame> frames = st.getFrames();
                String leaf = name(frames.get(0));
                self.merge(leaf, 1L, Long::sum);
                areas.merge(area(frames.get(0)), 1L, Long::sum);
                Set<String> seen = new HashSet<>();
                boolean sluiceSeen = false;
                for (RecordedFrame f : frames) {
                    String n = name(f);
                    if (seen.add(n)) {
                        total.merge(n, 1L, Long::sum);
                    }
                    if (!sluiceSeen && n.startsWith("dev.sluice.")) {
                        sluice.merge(n, 1L, Long::sum);
                        sluiceSeen = true;
                    }
                }
            }
        }
        out.printf(
                Locale.ROOT,
                "%s: %d execution samples%s%n",
                file,
                samples,
                from == null && to == null ? "" : " between " + from + " and " + to);
        section(out, "by thread group", threads, samples, top);
        section(out, "by code area (package of the sampled frame)", areas, samples, top);
        section(out, "hottest methods, self (top frame)", self, samples, top);
        section(out, "hottest methods, total (anywhere on the stack)", total, samples, top);
        section(out, "innermost Sluice method on the stack", sluice, samples, top);
    }

    private static void section(PrintStream out, String title, Map<String, Long> counts, long samples, int top) {
        out.printf(Locale.ROOT, "%n%s:%n", title);
        Map<String, Long> sorted = new LinkedHashMap<>();
        counts.entrySet().stream()
                .sorted((a, b) -> Long.compare(b.getValue(), a.getValue()))
                .limit(top)
                .forEach(en -> sorted.put(en.getKey(), en.getValue()));
        sorted.forEach(
                (k, v) -> out.printf(Locale.ROOT, "  %5.1f%%  %6d  %s%n", 100.0 * v / Math.max(1, samples), v, k));
    }

    private static String name(RecordedFrame f) {
        RecordedMethod m = f.getMethod();
        return m == null ? "?" : m.getType().getName() + "." + m.getName();
    }

    /** A coarse owner of the code: netty, vert.x, kafka, jackson, hdrhistogram, micrometer, sluice, jdk, other. */
    static String area(RecordedFrame f) {
        String n = name(f);
        String[][] areas = {
            {"io.netty.", "netty"},
            {"io.vertx.", "vert.x"},
            {"org.apache.kafka.", "kafka client"},
            {"com.fasterxml.jackson.", "jackson"},
            {"io.micrometer.", "micrometer"},
            {"dev.sluice.", "sluice"},
            {"java.", "jdk"},
            {"jdk.", "jdk"},
            {"sun.", "jdk"},
            {"ch.qos.logback.", "logback"},
            {"org.slf4j.", "logback"}
        };
        for (String[] a : areas) {
            if (n.startsWith(a[0])) {
                return a[1];
            }
        }
        int dot = n.indexOf('.', n.indexOf('.') + 1);
        return dot > 0 ? n.substring(0, dot) : n;
    }
}
