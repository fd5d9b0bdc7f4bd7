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

  /**
   * An SQL expression for the database's current time plus a number of milliseconds given as
   * one {@code ?} parameter (a {@code long}).
   */
  public String nowPlusMillis() {
    return switch (this) {
      case H2 -> "DATEADD(MILLISECOND, ?, CURRENT_TIMESTAMP)";
      case POSTGRESQL -> "(CURRENT_TIMESTAMP + CAST(? AS DOUBLE PRECISION) * INTERVAL '1 millisecond')";
    };
  }

  /** Whether {@code e} says a row lock could not be had at once ({@code FOR UPDATE NOWAIT}). */
  public boolean isLockNotAvailable(java.sql.SQLException e) {
    String state = e.getSQLState();
    return switch (this) {
      // H2: LOCK_TIMEOUT_1 (HYT00) or CONCURRENT_UPDATE_1 (90131)
      case H2 -> "HYT00".equals(state) || e.getErrorCode() == 90131 || e.getErrorCode() == 50200;
      // PostgreSQL: lock_not_available
      case POSTGRESQL -> "55P03".equals(state);
    };
  }
}
