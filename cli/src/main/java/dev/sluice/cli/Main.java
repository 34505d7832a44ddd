package dev.sluice.cli;

import dev.sluice.cli.chaos.ChaosCommand;
import dev.sluice.core.Catalog;
import dev.sluice.core.KafkaConfig;
import dev.sluice.core.Settings;
import dev.sluice.executor.main.ExecutorMain;
import dev.sluice.router.main.RouterMain;
import dev.sluice.scaler.main.ScalerMain;
import dev.sluice.scaler.sim.SimulateCommand;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import org.apache.kafka.clients.admin.Admin;

/** The {@code sluice} command. */
public final class Main {

    private static final String USAGE = String.join("\n",
            "usage: sluice <command>",
            "  dev [--brokers N]  run an embedded real stack (Kafka, PostgreSQL, Redis) with the router and executor;",
            "                  --brokers 3 runs a replicated Kafka cluster (3 KRaft nodes, RF 3, min.insync.replicas 2)",
            "  router          run a router (configured by SLUICE_* environment variables)",
            "  executor        run an executor",
            "  scaler          run the deadline-aware KEDA external scaler (gRPC :6000, management :8083)",
            "  topics apply    create the catalog's topics (+ .expired, .dlq) with partitions and retention",
            "  simulate ...    replay an arrival trace through KEDA + HPA models of the scaler policies (--help)",
            "  db migrate      apply the PostgreSQL schema (SLUICE_PG_URL)",
            "  admin ...       tenants, API keys and sources through a router's admin API",
            "  bench ...       benchmarks (see BENCHMARKS.md)",
            "  chaos --fault F run a load through one fault on a replicated stack and audit every accepted event (--help)",
            "Configuration: see the table in docs/configuration.md.");

    private Main() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length == 0 || args[0].equals("-h") || args[0].equals("--help") || args[0].equals("help")) {
            System.out.println(USAGE);
            return;
        }
        if (args[0].equals("chaos")) {
            System.exit(ChaosCommand.run(Arrays.copyOfRange(args, 1, args.length), System.out, System.err));
            return;
        }
        if (args.length > 1 && (args[1].equals("--help") || args[1].equals("-h"))) {
            // Every command's --help is the overview (exit 0), never a start of the command.
            System.out.println(USAGE);
            return;
        }
        Settings settings = Settings.fromEnvironment(System.getenv(), System.getProperties());
        switch (args[0]) {
            case "dev" -> {
                Settings dev;
                try {
                    dev = devSettings(settings, Arrays.copyOfRange(args, 1, args.length));
                } catch (IllegalArgumentException e) {
                    System.err.println(e.getMessage());
                    System.exit(2);
                    return;
                }
                dev(dev);
            }
            case "router" -> {
                RouterMain.run(settings);
                new CountDownLatch(1).await();
            }
            case "executor" -> {
                ExecutorMain.run(settings);
                new CountDownLatch(1).await();
            }
            case "scaler" -> {
                ScalerMain.run(settings);
                new CountDownLatch(1).await();
            }
            case "topics" -> topics(settings, Arrays.copyOfRange(args, 1, args.length));
            case "simulate" -> {
                int code = SimulateCommand.run(Arrays.copyOfRange(args, 1, args.length), System.out, System.err);
                if (code != 0) {
                    System.exit(code);
                }
            }
            case "db" -> System.exit(DbCommand.run(settings, Arrays.copyOfRange(args, 1, args.length)));
            case "admin" -> System.exit(AdminCommand.run(settings, Arrays.copyOfRange(args, 1, args.length)));
            default -> {
                System.err.println("unknown command: " + args[0]);
                System.err.println(USAGE);
                System.exit(2);
            }
        }
    }

    /** {@code dev}'s flags over the settings: {@code --brokers N} (or {@code --brokers=N}) sets {@code dev.brokers}. */
    static Settings devSettings(Settings settings, String[] args) {
        Settings out = settings;
        for (int i = 0; i < args.length; i++) {
            String value;
            if (args[i].equals("--brokers")) {
                if (i + 1 == args.length) {
                    throw new IllegalArgumentException("--brokers wants a number of nodes");
                }
                value = args[++i];
            } else if (args[i].startsWith("--brokers=")) {
                value = args[i].substring("--brokers=".length());
            } else {
                throw new IllegalArgumentException("unknown dev option: " + args[i] + " (usage: sluice dev [--brokers N])");
            }
            int brokers;
            try {
                brokers = Integer.parseInt(value);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("--brokers wants a number of nodes, not " + value, e);
            }
            if (brokers < 1) {
                throw new IllegalArgumentException("--brokers must be at least 1, not " + brokers);
            }
            out = out.with(DevStack.BROKERS, Integer.toString(brokers));
        }
        return out;
    }

    private static void dev(Settings settings) throws Exception {
        DevStack stack = DevStack.start(settings);
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            stack.close();
            stopped.countDown();
        }, "sluice-dev-shutdown"));
        System.out.println(stack.banner());
        System.out.flush();
        stopped.await();
    }

    private static void topics(Settings settings, String[] args) throws Exception {
        if (args.length != 1 || !args[0].equals("apply")) {
            System.err.println("usage: sluice topics apply   (SLUICE_CATALOG_FILE, SLUICE_KAFKA_BOOTSTRAP_SERVERS)");
            System.exit(2);
        }
        Catalog catalog = Catalog.load(Path.of(settings.get("catalog.file", "sluice.json")));
        KafkaConfig kafka = KafkaConfig.from(settings);
        int rf = settings.getInt("topics.replication.factor", -1);
        try (Admin admin = Admin.create(kafka.adminProperties(new HashMap<>()))) {
            TopicsApply.apply(admin, catalog, rf > 0 ? Optional.of((short) rf) : Optional.empty(), Duration.ofSeconds(30))
                    .forEach(c -> System.out.println(c.topic() + ": " + c.action()));
        }
    }
}
