package dev.sluice.cli;

import picocli.CommandLine.Command;

/**
 * What every {@code sluice} command and command group shares: {@code --help} and {@code --version}.
 * Picocli reads a superclass's {@code @Command} attributes, so each command names only its own
 * (name, description, options). The simulator and chaos commands pass {@code --help} through to
 * their own parsers and do not extend it.
 */
@Command(mixinStandardHelpOptions = true, versionProvider = SluiceVersion.class)
abstract class StandardCommand {}
