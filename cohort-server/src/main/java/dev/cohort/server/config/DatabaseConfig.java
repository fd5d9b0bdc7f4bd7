package dev.cohort.server.config;

import static dev.cohort.server.config.Setting.Tier.ESSENTIAL;
import static dev.cohort.server.config.Setting.Tier.RARE;

import java.util.List;
import java.util.Optional;

/**
 * The database for users, ACLs and (later) cluster state.
 *
 * @param url JDBC URL; empty for the embedded H2 database under the data dir
 * @param user database user
 * @param password database password
 * @param poolSize most connections the node opens
 */
public record DatabaseConfig(String url, String user, Secret password, int poolSize) {

  static final Setting<String> URL =
      Setting.string(
          "database.url",
          "",
          ESSENTIAL,
          "JDBC URL of the database. Empty: an embedded H2 file database in"
              + " <node.data-dir>/db (standalone).");
  static final Setting<String> USER =
      Setting.string("database.user", "cohort", ESSENTIAL, "Database user.");
  static final Setting<Secret> PASSWORD =
      Setting.secret(
          "database.password",
          ESSENTIAL,
          "Database password. Prefer the environment variable COHORT_DATABASE_PASSWORD to"
              + " writing it in the file; it is never logged.");
  static final Setting<Integer> POOL_SIZE =
      Setting.integer(
          "database.pool-size", 10, 1, 500, RARE, "Most database connections the node opens.");

  static final List<Setting<?>> SETTINGS = List.of(URL, USER, PASSWORD, POOL_SIZE);

  static DatabaseConfig from(Values v) {
    return new DatabaseConfig(v.get(URL), v.get(USER), v.get(PASSWORD), v.get(POOL_SIZE));
  }

  /** The configured URL, or empty for the embedded database. */
  public Optional<String> externalUrl() {
    return url.isBlank() ? Optional.empty() : Optional.of(url);
  }
}
