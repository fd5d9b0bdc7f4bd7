package dev.cohort.cli;

import java.io.Console;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import picocli.CommandLine.Option;

/** How management commands reach a node's admin API. */
final class AdminOptions {

  @Option(
      names = "--admin",
      paramLabel = "URL",
      defaultValue = "http://localhost:9999",
      description = "The node's admin URL (default: ${DEFAULT-VALUE}).")
  String admin;

  @Option(
      names = "--user",
      paramLabel = "NAME",
      defaultValue = "Administrator",
      description = "An Administrator (default: ${DEFAULT-VALUE}).")
  String user;

  @Option(
      names = "--password-file",
      paramLabel = "FILE",
      description =
          "Read the password from FILE. Otherwise from the environment variable COHORT_PASSWORD,"
              + " or asked for.")
  Path passwordFile;

  String password(Map<String, String> env) {
    if (passwordFile != null) {
      try {
        return Files.readString(passwordFile, StandardCharsets.UTF_8).strip();
      } catch (IOException e) {
        throw new CliException("cannot read the password file " + passwordFile + ": " + e.getMessage());
      }
    }
    String fromEnv = env.get("COHORT_PASSWORD");
    if (fromEnv != null && !fromEnv.isEmpty()) {
      return fromEnv;
    }
    Console console = System.console();
    if (console == null) {
      throw new CliException(
          "no password: set COHORT_PASSWORD, use --password-file, or run in a terminal to be asked");
    }
    char[] typed = console.readPassword("Password for %s at %s: ", user, admin);
    if (typed == null) {
      throw new CliException("no password given");
    }
    return new String(typed);
  }

  AdminClient client(Map<String, String> env) {
    return new AdminClient(admin, user, password(env));
  }
}
