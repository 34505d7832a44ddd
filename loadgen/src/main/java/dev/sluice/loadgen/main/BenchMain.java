package dev.sluice.loadgen.main;

import dev.sluice.loadgen.Compare;
import dev.sluice.loadgen.JfrTop;
import dev.sluice.loadgen.LoadCommand;
import dev.sluice.loadgen.RunOptions;
import dev.sluice.loadgen.RunSummary;
import dev.sluice.loadgen.SelfCheck;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Arrays;
import java.util.List;

/**
 * {@code ./sluice bench <command>}: the open-loop load generator. The launcher runs {@code jmh} from the
 * benchmarks module's own jar ({@code benchmarks/target/benchmarks.jar}, whose main class is JMH's), so
 * the usage lists it here with the rest.
 */
public final class BenchMain {

    private static final String USAGE = String.join(
            "\n",
            "usage: sluice bench <command> [flags]",
            "  jmh [JMH args]            JMH microbenchmarks, e.g. jmh RecordCodec -p payloadBytes=1024 (jmh -h for JMH's flags)",
            "  run [flags]               an open-loop load run (the default command)",
            "  wrk [flags]               the router's saturation throughput driven by wrk (sluice bench wrk --help)",
            "  gate --rate R --duration D [flags]",
            "                            an end-to-end run; exits 1 if ingest→start p99.9 > 2 s, any late start,",
            "                            any acknowledged event unaccounted for, or achieved < 95% of R; it starts its own",
            "                            stack (--self) unless --target names a Sluice whose workflow posts to the receiver",
            "  mqtt [flags]              run over MQTT 3.1.1 (the same reports): --target tcp://host:port (default 1883, or the",
            "                            child's with --self) --connections N --rate R --qos 0|1 --payload BYTES [--password KEY]",
            "                            [--loops N]; the rest are run's flags. gate --mqtt tcp://host:port | --mqtt self: a gate over MQTT",
            "  compare A B               two runs' summary.json (or their directories) side by side",
            "  selfcheck                 the generator against a 10 ms server, with and without a 1 s stall",
            "  jfr-top FILE.jfr [RUN_DIR] [N]",
            "                            where a profiled JVM spent its CPU (samples by thread, code area, method);",
            "                            with a run directory, only the samples of its measured window",
            "flags of run and gate:",
            RunOptions.USAGE,
            "See BENCHMARKS.md.");

    private BenchMain() {}

    public static void main(String[] args) throws Exception {
        System.exit(execute(Arrays.asList(args)));
    }

    /**
     * {@code gate}'s flags: end to end by default. Without {@code --target} (or {@code --self}) the gate
     * starts its own stack, whose workflow posts to the generator's receiver; a running {@code sluice dev}
     * posts to its echo target instead, so nothing it executed could be measured. {@code --mqtt tcp://…} names a
     * target too (a broker of somebody else's); {@code --mqtt self} publishes to the started stack's MQTT port.
     */
    static List<String> gateArgs(List<String> args) {
        boolean chosen =
                args.stream().anyMatch(a -> a.equals("--self") || a.equals("--target") || a.startsWith("--target="))
                        || dev.sluice.loadgen.MqttLoad.external(args);
        if (chosen) {
            return args;
        }
        List<String> out = new java.util.ArrayList<>(args);
        out.add("--self");
        return out;
    }

    static int execute(List<String> args) throws Exception {
        if (!args.isEmpty() && (args.get(0).equals("--help") || args.get(0).equals("-h"))) {
            System.out.println(USAGE);
            return 0;
        }
        String command = args.isEmpty() || args.get(0).startsWith("--") ? "run" : args.get(0);
        List<String> rest = args.isEmpty() || args.get(0).startsWith("--") ? args : args.subList(1, args.size());
        try {
            switch (command) {
                case "jmh" -> {
                    System.err.println(
                            "sluice bench: jmh runs from benchmarks/target/benchmarks.jar: ./sluice bench jmh "
                                    + String.join(" ", rest));
                    return 2;
                }
                case "run" -> {
                    return LoadCommand.run(RunOptions.parse(rest), System.out);
                }
                case "mqtt" -> {
                    return LoadCommand.run(RunOptions.parse(dev.sluice.loadgen.MqttLoad.runArgs(rest)), System.out);
                }
                case "wrk" -> {
                    if (rest.contains("--help") || rest.contains("-h")) {
                        System.out.println(dev.sluice.loadgen.WrkRun.USAGE);
                        return 0;
                    }
                    return dev.sluice.loadgen.WrkRun.run(rest, System.out);
                }
                case "gate" -> {
                    return LoadCommand.gate(RunOptions.parse(gateArgs(rest)), System.out);
                }
                case "compare" -> {
                    if (rest.size() != 2) {
                        System.err.println("usage: sluice bench compare A B   (summary.json files or run directories)");
                        return 2;
                    }
                    System.out.print(Compare.table(Path.of(rest.get(0)), Path.of(rest.get(1))));
                    return 0;
                }
                case "selfcheck" -> {
                    Path out = rest.size() == 2 && rest.get(0).equals("--out")
                            ? Path.of(rest.get(1))
                            : Path.of(
                                    "bench-results",
                                    "selfcheck-"
                                            + LocalDateTime.now()
                                                    .format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")));
                    return SelfCheck.run(500, Duration.ofSeconds(10), Duration.ofSeconds(1), out, System.out)
                                    .pass()
                            ? 0
                            : 1;
                }
                case "jfr-top" -> {
                    if (rest.isEmpty() || rest.size() > 3) {
                        System.err.println("usage: sluice bench jfr-top FILE.jfr [RUN_DIR] [TOP]");
                        return 2;
                    }
                    java.time.Instant from = null;
                    java.time.Instant to = null;
                    int top = 15;
                    for (String a : rest.subList(1, rest.size())) {
                        if (a.matches("[0-9]+")) {
                            top = Integer.parseInt(a);
                        } else {
                            RunSummary.Cpu cpu = RunSummary.read(Path.of(a)).cpu();
                            from = cpu.windowFrom() == null ? null : java.time.Instant.parse(cpu.windowFrom());
                            to = cpu.windowTo() == null ? null : java.time.Instant.parse(cpu.windowTo());
                        }
                    }
                    JfrTop.print(Path.of(rest.get(0)), from, to, top, System.out);
                    return 0;
                }
                case "help", "-h", "--help" -> {
                    System.out.println(USAGE);
                    return 0;
                }
                default -> {
                    System.err.println("unknown command: " + command);
                    System.err.println(USAGE);
                    return 2;
                }
            }
        } catch (IllegalArgumentException e) {
            System.err.println("sluice bench: " + e.getMessage());
            System.err.println(USAGE);
            return 2;
        }
    }
}
