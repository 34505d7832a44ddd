package dev.sluice.cli;

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
            "  dev             run an embedded real stack (Kafka, PostgreSQL, Redis) with the router and executor",
            "  router          run a router (configured by SLUICE_* environment variables)",
            "  executor        run an executor",
            "  scaler          run the deadline-aware KEDA external scaler (gRPC :6000, management :8083)",
            "  topics apply    create the catalog's topics (+ .expired, .dlq) with partitions and retention",
            "  simulate ...    replay an arrival trace through KEDA + HPA models of the scaler policies (--help)",
            "  db migrate      apply the PostgreSQL schema (SLUICE_PG_URL)",
            "  admin ...       tenants, API keys and sources through a router's admin API",
            "  bench ...       benchmarks (see BENCHMARKS.md)",
            "Configuration: see the table in README.md.");

    private Main() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length == 0 || args[0].equals("-h") || args[0].equals("--help") || args[0].equals("help")) {
            System.out.println(USAGE);
            return;
        }
        Settings settings = Settings.fromEnvironment(System.getenv(), System.getProperties());
        switch (args[0]) {
            case "dev" -> dev(settings);
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
