package dev.sluice.cli;

import dev.sluice.core.Settings;
import dev.sluice.executor.main.ExecutorMain;
import dev.sluice.router.main.RouterMain;
import dev.sluice.scaler.main.ScalerMain;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** The commands that run a Sluice process until it is stopped. */
final class RoleCommands {

    private RoleCommands() {}

    /** The settings a role's {@code --help} lists (by key prefix). */
    static List<String> prefixes(String role) {
        return switch (role) {
            case "router" -> List.of("router.", "kafka.", "redis.", "pg.", "catalog.", "vertx.", "otel.", "log.");
            case "executor" -> List.of("executor.", "kafka.", "redis.", "pg.", "catalog.", "vertx.", "otel.", "log.");
            case "dev" -> List.of("dev.", "otel.", "log.");
            default -> List.of();
        };
    }

    static Settings environment() {
        return Settings.fromEnvironment(System.getenv(), System.getProperties());
    }

    /** A role's process: starts it with the environment's settings, then runs until the JVM is stopped. */
    abstract static class UntilStopped extends StandardCommand implements Callable<Integer> {

        abstract void start(Settings settings) throws Exception;

        @Override
        public Integer call() throws Exception {
            start(environment());
            new CountDownLatch(1).await();
            return 0;
        }
    }

    @Command(
            name = "dev",
            description = {
                "Run an embedded real stack (Kafka in KRaft mode, PostgreSQL, Redis) with a router, an executor, "
                        + "an echo target and a demo source and workflow. Ctrl-C stops it and removes what it made."
            })
    static final class Dev extends StandardCommand implements Callable<Integer> {

        @Spec
        CommandSpec spec;

        @Option(
                names = "--brokers",
                paramLabel = "N",
                description = "Kafka nodes to start; above 1 a replicated cluster (RF 3, min.insync.replicas 2). "
                        + "Default: the dev.brokers setting, else 1.")
        Integer brokers;

        /** {@code base} with this command line's options applied. */
        Settings settings(Settings base) {
            if (brokers == null) {
                return base;
            }
            if (brokers < 1) {
                throw new ParameterException(spec.commandLine(), "--brokers must be at least 1, not " + brokers);
            }
            return base.with(DevStack.BROKERS, Integer.toString(brokers));
        }

        @Override
        public Integer call() throws Exception {
            DevStack stack = DevStack.start(settings(environment()));
            CountDownLatch stopped = new CountDownLatch(1);
            Runtime.getRuntime()
                    .addShutdownHook(new Thread(
                            () -> {
                                stack.close();
                                stopped.countDown();
                            },
                            "sluice-dev-shutdown"));
            spec.commandLine().getOut().println(stack.banner());
            spec.commandLine().getOut().flush();
            stopped.await();
            return 0;
        }
    }

    @Command(
            name = "router",
            description =
                    "Run a router: HTTP/1.1, HTTP/2 and (when enabled) MQTT ingest, answering 202 once Kafka has the event.")
    static final class Router extends UntilStopped {

        @Override
        void start(Settings settings) throws Exception {
            RouterMain.run(settings);
        }
    }

    @Command(
            name = "executor",
            description =
                    "Run an executor: consumes the routes' topics and runs each event's workflows in key order, before the deadline.")
    static final class Executor extends UntilStopped {

        @Override
        void start(Settings settings) throws Exception {
            ExecutorMain.run(settings);
        }
    }

    @Command(
            name = "scaler",
            description = {
                "Run the deadline-aware KEDA external scaler (gRPC :6000, management :8083).",
                "Its settings (scaler.*) are in keda-scalers/README.md."
            })
    static final class Scaler extends UntilStopped {

        @Override
        void start(Settings settings) throws Exception {
            ScalerMain.run(settings);
        }
    }
}
