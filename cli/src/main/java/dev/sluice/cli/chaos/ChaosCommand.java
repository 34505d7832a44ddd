package dev.sluice.cli.chaos;

import dev.sluice.testkit.KafkaCluster;
import dev.sluice.testkit.Postgres;
import dev.sluice.testkit.Redis;
import dev.sluice.testkit.WebhookTarget;
import java.io.IOException;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * {@code sluice chaos}: starts the whole stack on this machine (its own Kafka cluster, Redis,
 * PostgreSQL and targets, whatever the environment names), runs one fault, prints the table, and
 * stops everything it started. Exit 0 when the promise held, 1 when not, 2 on bad flags.
 */
public final class ChaosCommand {

    private ChaosCommand() {}

    public static int run(String[] args, PrintStream out, PrintStream err) {
        if (args.length == 1 && (args[0].equals("--help") || args[0].equals("-h"))) {
            out.println(ChaosOptions.USAGE);
            return 0;
        }
        ChaosOptions options;
        try {
            options = ChaosOptions.parse(args);
        } catch (IllegalArgumentException e) {
            err.println(e.getMessage());
            return 2;
        }
        List<AutoCloseable> started = new ArrayList<>();
        // Interrupted (Ctrl-C), stop the children and servers all the same: nothing is left running.
        Thread onExit = new Thread(() -> closeAll(started, err), "chaos-shutdown");
        Runtime.getRuntime().addShutdownHook(onExit);
        try {
            out.printf("chaos: starting a 3-node Kafka cluster, Redis, PostgreSQL and two webhook targets ...%n");
            KafkaCluster cluster = keep(started, KafkaCluster.start(3, options.jvm().kafka));
            Redis redis = keep(started, Redis.startLocal());
            Postgres postgres = keep(started, Postgres.startEmbedded());
            WebhookTarget target = keep(started, WebhookTarget.start());
            WebhookTarget noisy = keep(started, WebhookTarget.start());
            ChaosStack stack = keep(
                    started,
                    ChaosStack.start(
                            new ChaosStack.Infra(cluster, redis, postgres, target, noisy),
                            "chaos.events",
                            options.ttl(),
                            options.jvm()));
            out.printf(
                    "chaos: stack ready (logs in %s); %s at %d events/s for %s, fault at %s for %s%n",
                    stack.logDir(),
                    options.fault().spelling,
                    options.rate(),
                    options.duration(),
                    options.at(),
                    options.length());
            Instant at = Instant.now();
            ChaosReport report = ChaosRun.run(stack, options, out);
            out.printf(
                    "%nsluice chaos --fault %s --rate %d --duration %s --at %s --for %s --ttl %s --warmup %s --jvm %s  (%s, load average %s)%n",
                    options.fault().spelling,
                    options.rate(),
                    options.duration(),
                    options.at(),
                    options.length(),
                    options.ttl(),
                    options.warmUp(),
                    options.jvm().name().toLowerCase(java.util.Locale.ROOT),
                    at,
                    loadAverage());
            out.print(report.table());
            return report.passed() ? 0 : 1;
        } catch (RuntimeException e) {
            err.println("chaos: " + e.getMessage());
            e.printStackTrace(err);
            return 3;
        } finally {
            try {
                Runtime.getRuntime().removeShutdownHook(onExit);
            } catch (IllegalStateException e) {
                // the JVM is shutting down: the hook closes everything
            }
            closeAll(started, err);
        }
    }

    /** Closes what was started, newest first; each part at most once. */
    private static void closeAll(List<AutoCloseable> started, PrintStream err) {
        synchronized (started) {
            for (int i = started.size() - 1; i >= 0; i--) {
                AutoCloseable part = started.remove(i);
                try {
                    part.close();
                } catch (Exception e) {
                    err.println("chaos: could not stop " + part + ": " + e);
                }
            }
        }
    }

    private static <T extends AutoCloseable> T keep(List<AutoCloseable> started, T part) {
        synchronized (started) {
            started.add(part);
        }
        return part;
    }

    /** The 1, 5 and 15 minute load averages (the machine is shared; they say how much). */
    static String loadAverage() {
        try {
            String[] f = Files.readString(Path.of("/proc/loadavg")).split(" ");
            return f[0] + " " + f[1] + " " + f[2];
        } catch (IOException | RuntimeException e) {
            return String.format(
                    Locale.ROOT,
                    "%.2f",
                    ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
        }
    }
}
