package dev.cohort.cli;

import dev.cohort.server.config.CohortConfig;
import dev.cohort.server.config.ConfigException;
import dev.cohort.server.config.ConfigLoader;
import dev.cohort.server.config.DatabaseConfig;
import dev.cohort.server.config.Secret;
import dev.cohort.server.db.Database;
import dev.cohort.server.db.DatabaseCopy;
import dev.cohort.server.db.DatabaseException;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code cohort db ...}: the node's database. */
@Command(
    name = "db",
    mixinStandardHelpOptions = true,
    description = "The node's database.",
    subcommands = {DbCommand.Migrate.class})
final class DbCommand {

  /** {@code cohort db migrate --to URL}. */
  @Command(
      name = "migrate",
      mixinStandardHelpOptions = true,
      description = {
        "Copies this node's database (by default the embedded one in its data directory) into",
        "another one, usually the shared PostgreSQL of a cluster: users, groups, ACLs and every",
        "other table, in one transaction, and reports the rows per table. Stop the node first.",
        "Refuses a target that holds rows the source does not have, unless --force.",
        "This is the step to take before setting cluster.enabled and database.url."
      })
  static final class Migrate implements Callable<Integer> {

    @Mixin ConfigOptions options = new ConfigOptions();

    @Option(names = "--to", required = true, paramLabel = "JDBC-URL", description = "The target, e.g. jdbc:postgresql://db:5432/cohort.")
    String to;

    @Option(names = "--to-user", paramLabel = "NAME", defaultValue = "cohort", description = "Target database user (default: ${DEFAULT-VALUE}).")
    String toUser;

    @Option(
        names = "--to-password-file",
        paramLabel = "FILE",
        description = "Read the target's password from FILE; otherwise from COHORT_TARGET_PASSWORD.")
    Path toPasswordFile;

    @Option(names = "--force", description = "Replace the target's rows even if it holds other data.")
    boolean force;

    @Spec CommandSpec spec;

    @Override
    public Integer call() {
      PrintWriter out = spec.commandLine().getOut();
      PrintWriter err = spec.commandLine().getErr();
      Map<String, String> env = System.getenv();
      try {
        CohortConfig config = ConfigLoader.load(options.sources(env)).config();
        DatabaseConfig target = new DatabaseConfig(to, toUser, targetPassword(env), 2);
        try (Database source = open(config.database(), config.node().dataDir(), "source");
            Database destination = open(target, config.node().dataDir(), "target")) {
          out.printf("Copying %s%n     to %s%n", source.description(), destination.description());
          out.flush();
          DatabaseCopy.Result result = DatabaseCopy.copy(source, destination, force);
          int total = 0;
          for (Map.Entry<String, Integer> e : result.rows().entrySet()) {
            out.printf("  %-28s %6d row(s)%n", e.getKey(), e.getValue());
            total += e.getValue();
          }
          out.printf("Done: %d row(s) in %d table(s). Now point every node at it (database.url) and"
              + " set cluster.enabled: true.%n", total, result.rows().size());
          return 0;
        }
      } catch (ConfigException e) {
        err.println("cohort db migrate: " + e.getMessage());
        return 2;
      } catch (DatabaseException | CliException e) {
        err.println("cohort db migrate: " + e.getMessage());
        return 1;
      } finally {
        out.flush();
        err.flush();
      }
    }

    private static Database open(DatabaseConfig config, Path dataDir, String role) {
      try {
        return Database.open(config, dataDir);
      } catch (DatabaseException e) {
        String hint =
            e.getMessage().contains("already in use")
                ? " (a node is running on this data directory: stop it first)"
                : "";
        throw new DatabaseException("the " + role + " database: " + e.getMessage() + hint, e);
      }
    }

    private Secret targetPassword(Map<String, String> env) {
      if (toPasswordFile != null) {
        try {
          return new Secret(Files.readString(toPasswordFile, StandardCharsets.UTF_8).strip());
        } catch (IOException e) {
          throw new CliException("cannot read " + toPasswordFile + ": " + e.getMessage());
        }
      }
      return new Secret(env.getOrDefault("COHORT_TARGET_PASSWORD", ""));
    }
  }
}
