package dev.sluice.cli;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code sluice admin}: the router's admin API ({@link AdminCommand} makes the calls). Each group is
 * a subcommand with its own {@code --help}; the arguments after the group go to {@link AdminCommand}
 * as typed.
 */
@Command(
        name = "admin",
        description = {
            "Tenants, API keys, sources and workflows through a router's admin API",
            "(SLUICE_ADMIN_URL, default the local management port; SLUICE_ROUTER_ADMIN_KEY)."
        },
        subcommands = {
            AdminCommands.Tenants.class,
            AdminCommands.Keys.class,
            AdminCommands.Sources.class,
            AdminCommands.Workflows.class
        })
final class AdminCommands extends StandardCommand {

    /** The calls of one group, as {@link AdminCommand} parses them. */
    abstract static class Group extends StandardCommand implements Callable<Integer> {

        @Spec
        CommandSpec spec;

        @Parameters(paramLabel = "ACTION", description = "the action and its arguments (see above)")
        List<String> args = new ArrayList<>();

        @Override
        public Integer call() throws Exception {
            List<String> all = new ArrayList<>();
            all.add(spec.name()); // the group is the subcommand's name
            all.addAll(args);
            return AdminCommand.run(RoleCommands.environment(), all.toArray(String[]::new));
        }
    }

    @Command(
            name = "tenants",
            description = {"create <id> [--name <name>] [--events <per s>] [--bytes <per s>]", "list", "revoke <id>"})
    static final class Tenants extends Group {}

    @Command(
            name = "keys",
            description = {"create <tenant> [--name <name>]   prints the key once", "list <tenant>", "revoke <key-id>"})
    static final class Keys extends Group {}

    @Command(
            name = "sources",
            description = {
                "put <source> <file.json | ->   a catalog route without \"source\" (auth defaults to key)",
                "list | get <source> | delete <source>"
            })
    static final class Sources extends Group {}

    @Command(
            name = "workflows",
            description = {
                "put <name> <file.json | ->   a catalog workflow (its sources must be routed); executors reload it",
                "list | get <name> | delete <name>",
                "validate <file.json | -> [--event <event.json>]   check a definition; with a sample event, a dry run",
                "  of each step's templated request (nothing is sent)"
            })
    static final class Workflows extends Group {}
}
