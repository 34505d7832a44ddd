package dev.sluice.scaler.sim;

import dev.sluice.core.ConfigException;
import dev.sluice.core.Durations;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * {@code sluice simulate}: replays arrival traces through each scaler policy at min replicas 0 and 1, prints a
 * table per trace and writes an SVG plot (and with {@code --csv} the timelines) per trace.
 */
public final class SimulateCommand {

    static final String USAGE = String.join(
            "\n",
            "usage: sluice simulate [--trace steady|burst|diurnal|all|<file>[,...]] [--out DIR] [--csv] [--markdown]",
            "                       [--policies stock,stock-tuned,deadline] [--min 0,1] [--rate 500] [option value ...]",
            "  traces: steady (--rate for --duration, default 600s); burst (--rate, --burst-factor 100 times it from",
            "          --burst-start 300s for --burst-length 30s, --duration 1200s); diurnal (one day in --duration 3600s,",
            "          peak --peak, default 10 x --rate); a file: CSV of 'second,rate' rows or one event timestamp (s) a line",
            "  model:  --mu 1000 --partitions 64 --ttl 20s --budget 2s --pod-start 10s --pod-start-new-node 60s",
            "          --warm-pods 16 --rebalance 3s --commit-interval 500ms --hpa-sync 15s --tolerance 0.1",
            "          --max-replicas 100 --cooldown 300s --phase 0.5 --expire-cost 0.1 --step 50ms",
            "  stock:  --lag-threshold 10 --activation-lag-threshold 0 --polling-interval 30s",
            "  deadline-aware: --deadline-polling-interval 1s --push-interval 250ms --rate-window 2s",
            "  output: table on stdout; <out>/<trace>.svg (and <out>/<trace>.csv with --csv); --out default bench-results/sim");

    private static final Set<String> FLAGS = Set.of("csv", "markdown", "help");
    private static final Set<String> OWN = Set.of(
            "trace",
            "out",
            "policies",
            "min",
            "rate",
            "duration",
            "burst-factor",
            "burst-start",
            "burst-length",
            "peak");
    private static final Set<String> MODEL = Set.of(
            "step",
            "budget",
            "ttl",
            "mu",
            "partitions",
            "pod-start",
            "pod-start-new-node",
            "warm-pods",
            "rebalance",
            "commit-interval",
            "hpa-sync",
            "tolerance",
            "max-replicas",
            "cooldown",
            "phase",
            "expire-cost",
            "lag-threshold",
            "activation-lag-threshold",
            "polling-interval",
            "deadline-polling-interval",
            "push-interval",
            "rate-window");

    private SimulateCommand() {}

    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err));
    }

    /** Runs the command; returns the exit code. */
    public static int run(String[] args, PrintStream out, PrintStream err) {
        try {
            Map<String, String> o = parse(args);
            if (o.containsKey("help")) {
                out.println(USAGE);
                return 0;
            }
            SimParams params = SimParams.from(o);
            List<Trace> traces = traces(o, params);
            List<Integer> mins = new ArrayList<>();
            for (String m : o.getOrDefault("min", "0,1").split(",")) {
                mins.add(Integer.parseInt(m.trim()));
            }
            List<ScalerPolicy> policies = policies(o.getOrDefault("policies", "stock,stock-tuned,deadline"), params);
            Path dir = Path.of(o.getOrDefault("out", "bench-results/sim"));
            Files.createDirectories(dir);
            boolean markdown = o.containsKey("markdown");
            out.println(modelLine(params));
            Simulation sim = new Simulation(params);
            for (Trace trace : traces) {
                List<RunResult> runs = new ArrayList<>();
                for (ScalerPolicy policy : policies) {
                    for (int min : mins) {
                        runs.add(sim.run(trace, policy, min));
                    }
                }
                out.println();
                out.print(markdown ? Report.markdown(trace, runs) : Report.text(trace, runs));
                String base = trace.name().replaceAll("[^A-Za-z0-9._-]", "_");
                Path svg = dir.resolve(base + ".svg");
                Files.writeString(svg, SvgPlot.render(trace, runs), StandardCharsets.UTF_8);
                out.println("plot: " + svg);
                if (o.containsKey("csv")) {
                    Path csv = dir.resolve(base + ".csv");
                    Files.writeString(csv, Report.csv(runs), StandardCharsets.UTF_8);
                    out.println("timelines: " + csv);
                }
            }
            return 0;
        } catch (ConfigException | IllegalArgumentException e) {
            err.println("simulate: " + e.getMessage());
            err.println(USAGE);
            return 2;
        } catch (IOException e) {
            err.println("simulate: " + e);
            return 1;
        }
    }

    static Map<String, String> parse(String[] args) {
        Map<String, String> o = new HashMap<>();
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (!a.startsWith("--")) {
                throw new ConfigException("unexpected argument: " + a);
            }
            String key = a.substring(2);
            String value;
            int eq = key.indexOf('=');
            if (eq >= 0) {
                value = key.substring(eq + 1);
                key = key.substring(0, eq);
            } else if (FLAGS.contains(key)) {
                value = "true";
            } else if (i + 1 < args.length) {
                value = args[++i];
            } else {
                throw new ConfigException("--" + key + " needs a value");
            }
            if (!FLAGS.contains(key) && !OWN.contains(key) && !MODEL.contains(key)) {
                throw new ConfigException("unknown option: --" + key);
            }
            o.put(key, value);
        }
        return o;
    }

    static List<Trace> traces(Map<String, String> o, SimParams p) throws IOException {
        double rate = Double.parseDouble(o.getOrDefault("rate", "500"));
        List<Trace> traces = new ArrayList<>();
        String spec = o.getOrDefault("trace", "burst");
        for (String name : (spec.equals("all") ? "steady,burst,diurnal" : spec).split(",")) {
            switch (name.trim()) {
                case "steady" -> traces.add(Trace.steady(rate, duration(o, 600_000), p.stepMillis()));
                case "burst" ->
                    traces.add(Trace.burst(
                            rate,
                            Double.parseDouble(o.getOrDefault("burst-factor", "100")),
                            Durations.parse(o.getOrDefault("burst-start", "300s"))
                                    .toMillis(),
                            Durations.parse(o.getOrDefault("burst-length", "30s"))
                                    .toMillis(),
                            duration(o, 1_200_000),
                            p.stepMillis()));
                case "diurnal" ->
                    traces.add(Trace.diurnal(
                            Double.parseDouble(o.getOrDefault("peak", String.valueOf(10 * rate))),
                            duration(o, 3_600_000),
                            p.stepMillis()));
                default -> {
                    Path file = Path.of(name.trim());
                    if (!Files.isRegularFile(file)) {
                        throw new ConfigException(
                                "no such trace: " + name + " (steady, burst, diurnal, all or a file)");
                    }
                    traces.add(Trace.fromCsv(file, p.stepMillis()));
                }
            }
        }
        return traces;
    }

    static List<ScalerPolicy> policies(String spec, SimParams p) {
        Map<String, ScalerPolicy> all = new LinkedHashMap<>();
        all.put("stock", StockKafkaTrigger.stock(p));
        all.put("stock-tuned", StockKafkaTrigger.tuned(p));
        all.put("deadline", DeadlineAwareScaler.of(p));
        List<ScalerPolicy> chosen = new ArrayList<>();
        for (String name : spec.split(",")) {
            ScalerPolicy policy = all.get(name.trim());
            if (policy == null) {
                throw new ConfigException("unknown policy: " + name + " (one of " + all.keySet() + ")");
            }
            chosen.add(policy);
        }
        return chosen;
    }

    private static long duration(Map<String, String> o, long dflt) {
        String v = o.get("duration");
        return v == null ? dflt : Durations.parse(v).toMillis();
    }

    private static String modelLine(SimParams p) {
        return String.format(
                Locale.ROOT,
                "model: mu %.0f ev/s per replica, %d partitions, TTL %s, budget %s, pod start %s (%s beyond %d pods), "
                        + "rebalance %s, HPA sync %s, tolerance %.2f, cooldown %s, step %s",
                p.serviceRate(),
                p.partitions(),
                s(p.ttlMillis()),
                s(p.budgetMillis()),
                s(p.podStartMillis()),
                s(p.podStartNewNodeMillis()),
                p.warmPodCapacity(),
                s(p.rebalancePauseMillis()),
                s(p.hpaSyncMillis()),
                p.tolerance(),
                s(p.cooldownMillis()),
                s(p.stepMillis()));
    }

    private static String s(long millis) {
        return Durations.format(java.time.Duration.ofMillis(millis));
    }
}
