package dev.sluice.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code sluice}: the top of the command tree; alone, it prints the overview. */
@Command(
        name = "sluice",
        description = "Sluice: an event router that answers 202 only once Kafka has the event, and starts every "
                + "accepted event's workflow before its deadline, or records why not.",
        subcommands = {
            RoleCommands.Dev.class,
            RoleCommands.Router.class,
            RoleCommands.Executor.class,
            RoleCommands.Scaler.class,
            ToolCommands.Topics.class,
            ToolCommands.Simulate.class,
            ToolCommands.Db.class,
            ToolCommands.Redrive.class,
            ToolCommands.Chaos.class,
            AdminCommands.class,
            ToolCommands.Completion.class
        },
        footer = {
            "",
            "  bench ...   benchmarks and the load generator: ./sluice bench --help (see BENCHMARKS.md)",
            "",
            "Settings come from SLUICE_* environment variables (router.port is SLUICE_ROUTER_PORT) or -Dsluice.<key>;",
            "every one, with its default, is in docs/configuration.md. Exit codes: 0 done, 1 failed, 2 usage."
        })
final class SluiceCommand extends StandardCommand implements Runnable {

    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }
}
