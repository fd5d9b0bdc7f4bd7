package dev.cohort.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code cohort} command. */
@Command(
    name = "cohort",
    mixinStandardHelpOptions = true,
    versionProvider = VersionProvider.class,
    description = "Cohort: many server nodes acting as one virtual server.",
    subcommands = {
      StartCommand.class,
      CheckCommand.class,
      ClusterCommand.class,
      NodeCommand.class,
      TxCommand.class,
      DbCommand.class,
      CommandLine.HelpCommand.class
    })
public final class Main {

  public static void main(String[] args) {
    System.exit(run(args));
  }

  /** Runs the command line and returns the exit code. */
  public static int run(String... args) {
    return commandLine().execute(args);
  }

  /** The command line, for tests that capture its output with setOut/setErr. */
  static CommandLine commandLine() {
    return new CommandLine(new Main()).setCaseInsensitiveEnumValuesAllowed(true);
  }
}
