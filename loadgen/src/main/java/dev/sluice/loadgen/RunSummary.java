package dev.sluice.loadgen;

import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The result of one run, as written to {@code summary.json} and read back by {@code compare} and
 * {@code gate}. Latencies are in milliseconds; rates in events per second.
 *
 * @param startedAt     when the run started (ISO-8601)
 * @param settings      the options that shaped the run (mode, schedule, connections, ...)
 * @param rateAsked     the schedule's mean rate over the measured window
 * @param rateAchieved  measured events acknowledged (202) per second of the measured window (stretched
 *                      to the last of their acks when they came late)
 * @param measuredSeconds the measured window
 * @param warmupSeconds the warmup before it
 * @param counts        events sent, acknowledged and failed
 * @param errors        failed requests by kind ({@code http_503}, {@code timeout}, {@code connect_error}, ...)
 * @param latencyMs     distributions by name: {@code ack}, {@code service}, {@code sendLag},
 *                      {@code ingestToStart}, {@code ingestToEnd}
 * @param accounting    what became of the acknowledged events (end-to-end runs)
 * @param cpu           CPU time of the generator and of the measured processes
 * @param machine       where it ran
 */
public record RunSummary(
        String startedAt,
        Map<String, Object> settings,
        double rateAsked,
        double rateAchieved,
        double measuredSeconds,
        double warmupSeconds,
        Counts counts,
        Map<String, Long> errors,
        Map<String, Percentiles> latencyMs,
        Accounting accounting,
        Cpu cpu,
        Machine machine) {

    public static final String ACK = "ack";
    public static final String SERVICE = "service";
    public static final String SEND_LAG = "sendLag";
    public static final String INGEST_TO_START = "ingestToStart";
    public static final String INGEST_TO_END = "ingestToEnd";

    /** Events over the whole run (warmup included) and over the measured window. */
    public record Counts(long sent, long acked, long errors, long measuredSent, long measuredAcked) {
        JsonObject toJson() {
            return new JsonObject()
                    .put("sent", sent)
                    .put("acked", acked)
                    .put("errors", errors)
                    .put("measuredSent", measuredSent)
                    .put("measuredAcked", measuredAcked);
        }

        static Counts fromJson(JsonObject o) {
            return new Counts(
                    o.getLong("sent", 0L),
                    o.getLong("acked", 0L),
                    o.getLong("errors", 0L),
                    o.getLong("measuredSent", 0L),
                    o.getLong("measuredAcked", 0L));
        }
    }

    /**
     * What became of every acknowledged event of the run (warmup included).
     *
     * @param accepted        202 answers
     * @param executed        accepted events that reached the receiver (the workflow's first step began)
     * @param expired         events the executor expired during the run ({@code sluice_executor_expired_total}, delta)
     * @param deadLettered    runs that ended in the DLQ ({@code sluice_executor_runs_total{outcome="dead_lettered"}}, delta)
     * @param unaccounted     accepted − executed − expired − dead-lettered, never below zero: lost events
     * @param lateStarts      arrivals after ingest + TTL
     * @param duplicates      repeated arrivals of one event (at-least-once redelivery)
     * @param arrivedUnacked  arrivals of events the generator did not see a 202 for (e.g. a produce timeout answered 503)
     * @param metricsAvailable whether the executor's metrics could be read (expired and dead-lettered are 0 otherwise)
     * @param drainSeconds    how long the generator waited after the last response for the numbers to add up
     * @param drained         whether they did add up before it stopped waiting (false: the executor was still behind,
     *                        or events were lost)
     */
    public record Accounting(
            long accepted,
            long executed,
            long expired,
            long deadLettered,
            long unaccounted,
            long lateStarts,
            long duplicates,
            long arrivedUnacked,
            boolean metricsAvailable,
            double drainSeconds,
            boolean drained) {
        public static final Accounting NONE = new Accounting(0, 0, 0, 0, 0, 0, 0, 0, false, 0, true);

        /** Derives {@code unaccounted} from the other counts. */
        public static Accounting of(
                long accepted,
                long executed,
                long expired,
                long deadLettered,
                long lateStarts,
                long duplicates,
                long arrivedUnacked,
                boolean metricsAvailable,
                double drainSeconds,
                boolean drained) {
            long unaccounted = Math.max(0, accepted - executed - expired - deadLettered);
            return new Accounting(
                    accepted,
                    executed,
                    expired,
                    deadLettered,
                    unaccounted,
                    lateStarts,
                    duplicates,
                    arrivedUnacked,
                    metricsAvailable,
                    drainSeconds,
                    drained);
        }

        JsonObject toJson() {
            return new JsonObject()
                    .put("accepted", accepted)
                    .put("executed", executed)
                    .put("expired", expired)
                    .put("deadLettered", deadLettered)
                    .put("unaccounted", unaccounted)
                    .put("lateStarts", lateStarts)
                    .put("duplicates", duplicates)
                    .put("arrivedUnacked", arrivedUnacked)
                    .put("metricsAvailable", metricsAvailable)
                    .put("drainSeconds", RunSummary.round(drainSeconds))
                    .put("drained", drained);
        }

        static Accounting fromJson(JsonObject o) {
            if (o == null) {
                return NONE;
            }
            return new Accounting(
                    o.getLong("accepted", 0L),
                    o.getLong("executed", 0L),
                    o.getLong("expired", 0L),
                    o.getLong("deadLettered", 0L),
                    o.getLong("unaccounted", 0L),
                    o.getLong("lateStarts", 0L),
                    o.getLong("duplicates", 0L),
                    o.getLong("arrivedUnacked", 0L),
                    o.getBoolean("metricsAvailable", false),
                    o.getDouble("drainSeconds", 0.0),
                    o.getBoolean("drained", true));
        }
    }

    /**
     * CPU seconds over the measured window (its start to the end of the drain).
     *
     * @param generatorSeconds        this process
     * @param generatorMicrosPerEvent this process, per measured event acknowledged
     * @param processSeconds          the measured processes by name (for {@code --self}: the Sluice JVM, the Kafka broker, ...)
     * @param microsPerEvent          those processes, per measured event acknowledged, by name
     * @param sluiceThreadSeconds     the Sluice JVM's threads by group (event loops, Kafka I/O, GC, JIT, ...)
     * @param windowFrom              the window's start (ISO-8601): where a profile of the run should be cut
     * @param windowTo                the window's end
     */
    public record Cpu(
            double generatorSeconds,
            double generatorMicrosPerEvent,
            Map<String, Double> processSeconds,
            Map<String, Double> microsPerEvent,
            Map<String, Double> sluiceThreadSeconds,
            String windowFrom,
            String windowTo) {
        public static final Cpu NONE = new Cpu(0, 0, Map.of(), Map.of(), Map.of(), null, null);

        JsonObject toJson() {
            return new JsonObject()
                    .put("generatorSeconds", generatorSeconds)
                    .put("generatorMicrosPerEvent", generatorMicrosPerEvent)
                    .put("processSeconds", new JsonObject(new LinkedHashMap<>(processSeconds)))
                    .put("microsPerEvent", new JsonObject(new LinkedHashMap<>(microsPerEvent)))
                    .put("sluiceThreadSeconds", new JsonObject(new LinkedHashMap<>(sluiceThreadSeconds)))
                    .put("windowFrom", windowFrom)
                    .put("windowTo", windowTo);
        }

        static Cpu fromJson(JsonObject o) {
            if (o == null) {
                return NONE;
            }
            return new Cpu(
                    o.getDouble("generatorSeconds", 0.0),
                    o.getDouble("generatorMicrosPerEvent", 0.0),
                    doubles(o.getJsonObject("processSeconds")),
                    doubles(o.getJsonObject("microsPerEvent")),
                    doubles(o.getJsonObject("sluiceThreadSeconds")),
                    o.getString("windowFrom"),
                    o.getString("windowTo"));
        }
    }

    /** The machine a run was measured on. */
    public record Machine(int cores, String cpu, double memoryGiB, String jvm, String os) {
        public static Machine current() {
            String model = "?";
            double mem = Runtime.getRuntime().maxMemory() / (1024.0 * 1024 * 1024);
            try {
                for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
                    if (line.startsWith("model name")) {
                        model = line.substring(line.indexOf(':') + 1).trim();
                        break;
                    }
                }
                for (String line : Files.readAllLines(Path.of("/proc/meminfo"))) {
                    if (line.startsWith("MemTotal:")) {
                        mem = Long.parseLong(line.replaceAll("[^0-9]", "")) / (1024.0 * 1024);
                        break;
                    }
                }
            } catch (IOException | RuntimeException e) {
                // not Linux: keep the defaults
            }
            return new Machine(
                    Runtime.getRuntime().availableProcessors(),
                    model,
                    Math.round(mem * 10) / 10.0,
                    System.getProperty("java.vm.name") + " " + System.getProperty("java.runtime.version"),
                    System.getProperty("os.name") + " " + System.getProperty("os.version") + " "
                            + System.getProperty("os.arch"));
        }

        JsonObject toJson() {
            return new JsonObject()
                    .put("cores", cores)
                    .put("cpu", cpu)
                    .put("memoryGiB", memoryGiB)
                    .put("jvm", jvm)
                    .put("os", os);
        }

        static Machine fromJson(JsonObject o) {
            if (o == null) {
                return new Machine(0, "?", 0, "?", "?");
            }
            return new Machine(
                    o.getInteger("cores", 0),
                    o.getString("cpu", "?"),
                    o.getDouble("memoryGiB", 0.0),
                    o.getString("jvm", "?"),
                    o.getString("os", "?"));
        }
    }

    public Percentiles latency(String name) {
        return latencyMs.getOrDefault(name, Percentiles.EMPTY);
    }

    public boolean e2e() {
        return "e2e".equals(settings.get("mode"));
    }

    public JsonObject toJson() {
        JsonObject lat = new JsonObject();
        latencyMs.forEach((k, v) -> lat.put(k, v.toJson()));
        JsonObject errs = new JsonObject();
        errors.forEach(errs::put);
        return new JsonObject()
                .put("startedAt", startedAt)
                .put("settings", new JsonObject(new LinkedHashMap<>(settings)))
                .put("rateAsked", round(rateAsked))
                .put("rateAchieved", round(rateAchieved))
                .put("measuredSeconds", measuredSeconds)
                .put("warmupSeconds", warmupSeconds)
                .put("counts", counts.toJson())
                .put("errors", errs)
                .put("latencyMs", lat)
                .put("accounting", accounting.toJson())
                .put("cpu", cpu.toJson())
                .put("machine", machine.toJson());
    }

    public static RunSummary fromJson(JsonObject o) {
        Map<String, Percentiles> lat = new LinkedHashMap<>();
        JsonObject l = o.getJsonObject("latencyMs", new JsonObject());
        l.fieldNames().forEach(k -> lat.put(k, Percentiles.fromJson(l.getJsonObject(k))));
        Map<String, Long> errs = new LinkedHashMap<>();
        JsonObject e = o.getJsonObject("errors", new JsonObject());
        e.fieldNames().forEach(k -> errs.put(k, e.getLong(k)));
        return new RunSummary(
                o.getString("startedAt", "?"),
                o.getJsonObject("settings", new JsonObject()).getMap(),
                o.getDouble("rateAsked", 0.0),
                o.getDouble("rateAchieved", 0.0),
                o.getDouble("measuredSeconds", 0.0),
                o.getDouble("warmupSeconds", 0.0),
                Counts.fromJson(o.getJsonObject("counts", new JsonObject())),
                errs,
                lat,
                Accounting.fromJson(o.getJsonObject("accounting")),
                Cpu.fromJson(o.getJsonObject("cpu")),
                Machine.fromJson(o.getJsonObject("machine")));
    }

    /** Reads {@code summary.json}, given the file or the run directory holding it. */
    public static RunSummary read(Path fileOrDir) {
        Path file = Files.isDirectory(fileOrDir) ? fileOrDir.resolve("summary.json") : fileOrDir;
        try {
            return fromJson(new JsonObject(Files.readString(file, StandardCharsets.UTF_8)));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
    }

    private static Map<String, Double> doubles(JsonObject o) {
        Map<String, Double> out = new LinkedHashMap<>();
        if (o != null) {
            o.fieldNames().forEach(k -> out.put(k, o.getDouble(k)));
        }
        return out;
    }

    static double round(double v) {
        return Math.round(v * 10) / 10.0;
    }
}
