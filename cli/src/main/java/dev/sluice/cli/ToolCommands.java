package dev.sluice.cli;

import dev.sluice.cli.chaos.ChaosCommand;
import dev.sluice.cli.redrive.RedriveCommand;
import dev.sluice.core.Catalog;
import dev.sluice.core.KafkaConfig;
import dev.sluice.core.Settings;
import dev.sluice.scaler.sim.SimulateCommand;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import org.apache.kafka.clients.admin.Admin;
import picocli.AutoComplete;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** The one-shot commands: topics, the scaler simulator, the database schema. */
final class ToolCommands {

    private ToolCommands() {}

    @Command(name = "topics", description = "Manage the catalog's Kafka topics.", subcommands = Topics.Apply.class)
    static final class Topics extends StandardCommand {

        @Command(
                name = "apply",
                description = {
                    "Create the catalog's topics (with .expired and .dlq) with their partitions and retention,",
                    "or report them as present (SLUICE_CATALOG_FILE, SLUICE_KAFKA_BOOTSTRAP_SERVERS)."
                })
        static final class Apply extends StandardCommand implements Callable<Integer> {

            @Spec
            CommandSpec spec;

            @Option(
                    names = "--replication-factor",
                    paramLabel = "N",
                    description =
                            "Replicas per partition. Default: the topics.replication.factor setting, else the broker's default.")
            Integer replicationFactor;

            @Override
            public Integer call() throws Exception {
                Settings settings = RoleCommands.environment();
                Catalog catalog = Catalog.load(Path.of(settings.get("catalog.file", "sluice.json")));
                int rf = replicationFactor != null
                        ? replicationFactor
                        : settings.getInt("topics.replication.factor", -1);
                try (Admin admin = Admin.create(KafkaConfig.from(settings).adminProperties(new HashMap<>()))) {
                    TopicsApply.apply(
                                    admin,
                                    catalog,
                                    rf > 0 ? Optional.of((short) rf) : Optional.empty(),
                                    Duration.ofSeconds(30))
                            .forEach(c -> spec.commandLine().getOut().println(c.topic() + ": " + c.action()));
                }
                return 0;
            }
        }
    }

    @Command(
            name = "simulate",
            description =
                    "Replay an arrival trace through KEDA + HPA models of the scaler policies (its own --help lists the options).")
    static final class Simulate extends PassThrough {

        @Override
        int run(String[] args) {
            return SimulateCommand.run(args, System.out, System.err);
        }
    }

    @Command(name = "db", description = "Manage the PostgreSQL schema.", subcommands = Db.Migrate.class)
    static final class Db extends StandardCommand {

        @Command(name = "migrate", description = "Apply the schema scripts not yet applied (SLUICE_PG_URL).")
        static final class Migrate extends StandardCommand implements Callable<Integer> {

            @Override
            public Integer call() throws Exception {
                return DbCommand.run(RoleCommands.environment(), new String[] {"migrate"});
            }
        }
    }

    @Command(
            name = "completion",
            description = {
                "Print a bash (and zsh) completion script for every command and option:",
                "  source <(./sluice completion)"
            })
    static final class Completion extends StandardCommand implements Callable<Integer> {

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() {
            spec.commandLine()
                    .getOut()
                    .print(AutoComplete.bash("sluice", spec.root().commandLine()));
            spec.commandLine().getOut().flush();
            return 0;
        }
    }

    @Command(
            name = "redrive",
            description = {
                "Re-publish dead-lettered or expired events to their topic with a fresh deadline and a",
                "redriven-from header, each original at most once (SLUICE_KAFKA_BOOTSTRAP_SERVERS, SLUICE_PG_URL).",
                "Prints a progress line and the counts; exits 1 when some events could not be re-published."
            })
    static final class Redrive extends StandardCommand implements Callable<Integer> {

        @Option(names = "--from", required = true, paramLabel = "TOPIC", description = "<topic>.dlq or <topic>.expired")
        String from;

        @Option(
                names = "--since",
                paramLabel = "SPAN",
                description = "only records dead-lettered or expired in this last span (90s, 10m, 2h); default: all")
        String since;

        @Option(
                names = "--filter",
                paramLabel = "CONDITION",
                description =
                        "a workflow filter condition in JSON over the event's attributes, workflow, error, reason "
                                + "and JSON pointers into the payload")
        String filter;

        @Option(names = "--dry-run", description = "count what would be re-driven; change nothing")
        boolean dryRun;

        @Override
        public Integer call() {
            List<String> args = new ArrayList<>(List.of("--from", from));
            if (since != null) {
                args.addAll(List.of("--since", since));
            }
            if (filter != null) {
                args.addAll(List.of("--filter", filter));
            }
            if (dryRun) {
                args.add("--dry-run");
            }
            return RedriveCommand.run(RoleCommands.environment(), args.toArray(String[]::new), System.out, System.err);
        }
    }

    @Command(
            name = "chaos",
            description = {
                "Run an open-loop load through one fault on a replicated stack, then audit every accepted event",
                "(its own --help lists the faults and options; RELIABILITY.md has the figures)."
            })
    static final class Chaos extends PassThrough {

        @Override
        int run(String[] args) {
            return ChaosCommand.run(args, System.out, System.err);
        }
    }

    /**
     * A command with its own parser: every argument, {@code --help} included, goes to it as typed;
     * only {@code --version} is picocli's.
     */
    @Command(versionProvider = SluiceVersion.class)
    abstract static class PassThrough implements Callable<Integer> {

        @Option(
                names = {"-V", "--version"},
                versionHelp = true,
                description = "Print version information and exit.")
        boolean version;

        @Parameters(paramLabel = "ARGS", description = "its own options; --help lists them")
        List<String> args = new ArrayList<>();

        abstract int run(String[] args);

        @Override
        public Integer call() {
            return run(args.toArray(String[]::new));
        }
    }
}
