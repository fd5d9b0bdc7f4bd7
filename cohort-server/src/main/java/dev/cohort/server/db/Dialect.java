package dev.cohort.server.db;

/**
 * The few places where H2 and PostgreSQL SQL differ. Everything else is written once, in SQL
 * both accept (H2 runs in its PostgreSQL compatibility mode).
 */
public enum Dialect {
  H2,
  POSTGRESQL;

  static Dialect of(String jdbcUrl) {
    if (jdbcUrl.startsWith("jdbc:h2:")) {
      return H2;
    }
    if (jdbcUrl.startsWith("jdbc:postgresql:")) {
      return POSTGRESQL;
    }
    throw new DatabaseException(
        "unsupported database URL '"
            + jdbcUrl.replaceAll("password=[^&;]*", "password=****")
            + "'; Cohort supports jdbc:h2: and jdbc:postgresql:");
  }
}
