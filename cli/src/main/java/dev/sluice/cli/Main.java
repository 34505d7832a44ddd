package dev.sluice.cli;

import picocli.CommandLine;

/**
 * The {@code sluice} command's entry point. Exit codes: 0 done, 1 the command failed, 2 the command
 * line was wrong (picocli's own convention). The server commands ({@code dev}, {@code router},
 * {@code executor}, {@code scaler}) run until they are stopped.
 */
public final class Main {

    private Main() {}

    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }

    /** The whole command tree, ready to {@code execute}; tests use it as the launcher does. */
    static CommandLine commandLine() {
        CommandLine cli = new CommandLine(new SluiceCommand());
        // Commands that parse their own arguments get them as given, options included and in order.
        cli.getSubcommands().get("admin").setUnmatchedOptionsArePositionalParams(true);
        cli.getSubcommands().get("simulate").setUnmatchedOptionsArePositionalParams(true);
        cli.getSubcommands().get("chaos").setUnmatchedOptionsArePositionalParams(true);
        SettingsHelp settings = SettingsHelp.load();
        for (String role : new String[] {"router", "executor", "dev"}) {
            CommandLine command = cli.getSubcommands().get(role);
            command.getCommandSpec().usageMessage().footer(settings.footer(RoleCommands.prefixes(role)));
        }
        return cli;
    }
}
