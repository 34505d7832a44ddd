package dev.sluice.loadgen;

import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.common.TopicPartition;

/**
 * {@code sluice bench wrk}: the router's saturation throughput, driven by {@code wrk} (closed
 * loop, many connections, a few dozen microseconds of CPU per request less than the Java
 * generator). Starts Kafka and {@code sluice router} as separate processes, primes the router
 * until its JIT compilers go quiet, then runs {@code wrk} once more for the measured window and
 * reports requests/s, wrk's latency percentiles (service time of a closed loop, not the
 * open-loop latency the generator reports), each process's CPU per request, and how many
 * records the topic grew by against how many 202s wrk saw.
 */
public final class WrkRun {

    public static final String USAGE = WrkOptions.USAGE;

    private WrkRun() {}

    public static int run(List<String> args, PrintStream out) throws Exception {
        WrkOptions o = WrkOptions.parse(args);
        Files.createDirectories(o.out());
        Path lua = o.out().toAbsolutePath().resolve("post.lua");
        Files.writeString(
                lua,
                o.fixedBody()
                        ? WrkScripts.staticScript(o.payload(), o.batch())
                        : WrkScripts.script(o.payload(), o.batch()),
                StandardCharsets.UTF_8);
        if (o.h2load()) {
            // h2load posts a file's bytes; the same event the static wrk script carries.
            Files.writeString(
                    lua.resolveSibling("body"), WrkScripts.staticBody(o.payload(), o.batch()), StandardCharsets.UTF_8);
        }
        out.println("starting Kafka and "
                + (o.lean() ? "the lean yardstick" : o.root().resolve("sluice") + " router") + " (logs in " + o.out()
                + ") ...");
        try (WrkStack stack = o.lean()
                ? WrkStack.lean(o.childJavaOpts(), o.out())
                : WrkStack.of(SplitStack.start(
                        o.root(),
                        "http://127.0.0.1:9/unused",
                        false,
                        o.childJavaOpts(),
                        o.out(),
                        Duration.ofMinutes(5),
                        false,
                        false))) {
            String url = stack.ingestUrl() + (o.batch() > 1 ? "/batch" : "");
            out.println("router ready: " + url);
            Duration chunk = Duration.ofSeconds(10);
            WrkDriver.run(o, lua, url, o.warmup(), null);
            for (int i = 0; i < 12; i++) {
                double before = ProcessCpu.compilerSeconds(stack.profiledJvms());
                WrkDriver.run(o, lua, url, chunk, null);
                double compiled = ProcessCpu.compilerSeconds(stack.profiledJvms()) - before;
                out.printf(Locale.ROOT, "priming: JIT compilers used %.2f s of CPU in the last 10 s%n", compiled);
                if (compiled < 0.5) {
                    break;
                }
            }
            long recordsBefore = endOffsets(stack.bootstrapServers(), "sluice.demo");
            List<ProcessHandle> procs = stack.processes();
            Map<Long, ProcessCpu.Proc> cpuBefore = ProcessCpu.snapshot(procs);
            Instant from = Instant.now();
            long[] wrkCpu = new long[1];
            String text = WrkDriver.run(o, lua, url, o.duration(), wrkCpu);
            Instant to = Instant.now();
            Map<String, Double> cpu = ProcessCpu.deltaByName(cpuBefore, ProcessCpu.snapshot(procs));
            cpu.put(o.h2load() ? "h2load" : "wrk", wrkCpu[0] / 1e9);
            Files.writeString(o.out().resolve(o.h2load() ? "h2load.txt" : "wrk.txt"), text, StandardCharsets.UTF_8);
            WrkResult r = o.h2load() ? WrkResult.parseH2load(text) : WrkResult.parseWrk(text);
            long accepted = (r.requests() - r.non2xx()) * o.batch();
            // The last acks land before wrk exits; give the broker's end offsets a moment to show them.
            StackLauncher.pause(500);
            long grown = endOffsets(stack.bootstrapServers(), "sluice.demo") - recordsBefore;
            String report = report(o, r, cpu, accepted, grown, from, to);
            Files.writeString(o.out().resolve("summary.txt"), report, StandardCharsets.UTF_8);
            out.print(report);
            return 0;
        }
    }

    static String report(
            WrkOptions o, WrkResult r, Map<String, Double> cpu, long accepted, long grown, Instant from, Instant to) {
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(
                Locale.ROOT,
                "%s -t%d -c%d%s -d%ds, %d-byte events, %s%s; window %s → %s%n",
                o.driverName(),
                o.threads(),
                o.connections(),
                o.h2load() ? " -m" + o.streams() : "",
                o.duration().toSeconds(),
                o.payload(),
                o.batch() == 1 ? "single events" : o.batch() + " per request",
                o.fixedBody() ? ", one static body" : ", distinct bodies",
                from,
                to));
        sb.append(String.format(
                Locale.ROOT,
                "requests: %,d in %.1f s = %,.0f requests/s = %,.0f events/s; non-2xx %d, socket errors %d%n",
                r.requests(),
                r.seconds(),
                r.perSecond(),
                r.perSecond() * o.batch(),
                r.non2xx(),
                r.socketErrors()));
        sb.append(o.h2load() ? "h2load" : "wrk")
                .append(" latency (closed loop: service time) ms: ")
                .append(r.latencyMillis().entrySet().stream()
                        .map(e -> e.getKey() + " " + e.getValue())
                        .collect(Collectors.joining(", ")))
                .append('\n');
        sb.append(String.format(
                Locale.ROOT, "events answered 202: %,d; records the topic grew by: %,d%n", accepted, grown));
        double events = Math.max(1, accepted);
        cpu.forEach((name, seconds) -> sb.append(String.format(
                Locale.ROOT, "cpu %-28s %7.2f s = %6.1f µs per event%n", name, seconds, seconds * 1e6 / events)));
        return sb.toString();
    }

    private static long endOffsets(String bootstrap, String topic) {
        Properties p = new Properties();
        p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        try (Admin admin = Admin.create(p)) {
            var partitions = admin.describeTopics(List.of(topic))
                    .allTopicNames()
                    .get(30, TimeUnit.SECONDS)
                    .get(topic)
                    .partitions();
            Map<TopicPartition, OffsetSpec> q = new LinkedHashMap<>();
            partitions.forEach(tp -> q.put(new TopicPartition(topic, tp.partition()), OffsetSpec.latest()));
            return admin.listOffsets(q).all().get(30, TimeUnit.SECONDS).values().stream()
                    .mapToLong(x -> x.offset())
                    .sum();
        } catch (Exception e) {
            throw new IllegalStateException("cannot read " + topic + "'s end offsets: " + e.getMessage(), e);
        }
    }
}
