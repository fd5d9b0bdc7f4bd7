package dev.cohort.server.db;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.cohort.server.config.DatabaseConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.output.MigrateResult;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The node's database: a connection pool over the embedded H2 file database or an external
 * one, with the schema brought up to date by Flyway on open.
 */
public final class Database implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(Database.class);

  private final HikariDataSource pool;
  private final Dialect dialect;
  private final String description;

  private Database(HikariDataSource pool, Dialect dialect, String description) {
    this.pool = pool;
    this.dialect = dialect;
    this.description = description;
  }

  /**
   * Opens the configured database (or the embedded one under {@code dataDir}) and migrates its
   * schema.
   *
   * @throws DatabaseException when it cannot be reached or migrated, saying which and why
   */
  public static Database open(DatabaseConfig config, Path dataDir) {
    return open(config, dataDir, null);
  }

  /**
   * {@link #open(DatabaseConfig, Path)}, naming the connections after {@code nodeName} where the
   * database shows it (PostgreSQL's {@code application_name}, "cohort NAME", unless the URL sets
   * one): an operator sees in {@code pg_stat_activity} which node holds what.
   */
  public static Database open(DatabaseConfig config, Path dataDir, String nodeName) {
    String url = config.externalUrl().orElseGet(() -> embeddedUrl(dataDir));
    Dialect dialect = Dialect.of(url);
    String description =
        config.externalUrl().isPresent() ? redact(url) : "embedded H2 at " + dataDir.resolve("db");

    HikariConfig hikari = new HikariConfig();
    hikari.setJdbcUrl(url);
    hikari.setUsername(config.user());
    hikari.setPassword(config.password().reveal());
    hikari.setMaximumPoolSize(config.poolSize());
    hikari.setMinimumIdle(Math.min(2, config.poolSize()));
    hikari.setPoolName("cohort-db");
    if (nodeName != null && dialect == Dialect.POSTGRESQL && !url.contains("ApplicationName=")) {
      hikari.addDataSourceProperty("ApplicationName", "cohort " + nodeName);
    }
    hikari.setInitializationFailTimeout(10_000);
    HikariDataSource pool;
    try {
      pool = new HikariDataSource(hikari);
    } catch (RuntimeException e) {
      throw new DatabaseException(
          "cannot connect to the database " + description + ": " + rootMessage(e), e);
    }
    try {
      MigrateResult result =
          Flyway.configure()
              .dataSource(pool)
              .locations("classpath:db/migration")
              .table("cohort_schema_history")
              .load()
              .migrate();
      LOG.info(
          "database {} ready at schema version {} ({} migration(s) applied)",
          description,
          result.targetSchemaVersion == null ? "current" : result.targetSchemaVersion,
          result.migrationsExecuted);
    } catch (RuntimeException e) {
      pool.close();
      throw new DatabaseException(
          "cannot migrate the schema of " + description + ": " + rootMessage(e), e);
    }
    return new Database(pool, dialect, description);
  }

  static String embeddedUrl(Path dataDir) {
    Path dir = dataDir.toAbsolutePath().normalize().resolve("db");
    try {
      Files.createDirectories(dir);
    } catch (IOException e) {
      throw new DatabaseException("cannot create the database directory " + dir + ": " + e, e);
    }
    return "jdbc:h2:file:"
        + dir.resolve("cohort")
        + ";MODE=PostgreSQL;DATABASE_TO_LOWER=TRUE;DEFAULT_NULL_ORDERING=HIGH";
  }

  private static String redact(String url) {
    return url.replaceAll("(?i)password=[^&;]*", "password=****");
  }

  private static String rootMessage(Throwable e) {
    Throwable t = e;
    while (t.getCause() != null && t.getCause() != t) {
      t = t.getCause();
    }
    return t.getMessage();
  }

  public DataSource dataSource() {
    return pool;
  }

  public Dialect dialect() {
    return dialect;
  }

  /** A human-readable description without secrets. */
  public String description() {
    return description;
  }

  /** A pooled connection; close it to return it. */
  public Connection connection() throws SQLException {
    return pool.getConnection();
  }

  /** Runs {@code work} in one transaction: committed when it returns, rolled back when it throws. */
  public <T> T inTransaction(SqlWork<T> work) {
    try (Connection c = pool.getConnection()) {
      c.setAutoCommit(false);
      try {
        T result = work.run(c);
        c.commit();
        return result;
      } catch (SQLException | RuntimeException e) {
        c.rollback();
        throw e;
      }
    } catch (SQLException e) {
      throw new DatabaseException("database operation failed: " + e.getMessage(), e);
    }
  }

  /**
   * Runs {@code work} with every statement committed by itself (auto-commit): one round trip for
   * a single statement, where {@link #inTransaction} needs a second one for the commit.
   */
  public <T> T autoCommitted(SqlWork<T> work) {
    try (Connection c = pool.getConnection()) {
      c.setAutoCommit(true);
      return work.run(c);
    } catch (SQLException e) {
      throw new DatabaseException("database operation failed: " + e.getMessage(), e);
    }
  }

  /** Work done with a connection inside {@link #inTransaction} or {@link #autoCommitted}. */
  @FunctionalInterface
  public interface SqlWork<T> {
    T run(Connection connection) throws SQLException;
  }

  @Override
  public void close() {
    pool.close();
  }
}
