package dev.cohort.server.cluster;

import dev.cohort.server.db.Database;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The {@code cohort_node} table: one row per node and cluster, heartbeated on the database's
 * clock, so liveness never depends on the nodes' clocks agreeing. Plain JDBC, portable SQL.
 */
final class NodeRegistry {

  private final Database database;

  NodeRegistry(Database database) {
    this.database = database;
  }

  /** The database's clock now. */
  Instant databaseNow() {
    return database.inTransaction(
        c -> {
          try (PreparedStatement s = c.prepareStatement("SELECT CURRENT_TIMESTAMP");
              ResultSet rs = s.executeQuery()) {
            rs.next();
            return rs.getObject(1, OffsetDateTime.class).toInstant();
          }
        });
  }

  /** Records a heartbeat of {@code self} (registering it if it has no row). */
  void heartbeat(String cluster, Self self, String state, long clockSkewMillis, long securityVersion) {
    database.inTransaction(
        c -> {
          int updated;
          try (PreparedStatement s =
              c.prepareStatement(
                  "UPDATE cohort_node SET url = ?, admin_url = ?, version = ?, state = ?,"
                      + " last_heartbeat = CURRENT_TIMESTAMP, clock_skew_ms = ?,"
                      + " packages_fingerprint = ?, security_version = ?"
                      + " WHERE cluster_name = ? AND node_name = ?")) {
            s.setString(1, self.url());
            s.setString(2, self.adminUrl());
            s.setString(3, self.version());
            s.setString(4, state);
            s.setLong(5, clockSkewMillis);
            s.setString(6, self.packagesFingerprint());
            s.setLong(7, securityVersion);
            s.setString(8, cluster);
            s.setString(9, self.name());
            updated = s.executeUpdate();
          }
          if (updated == 0) {
            insert(c, cluster, self, state, clockSkewMillis, securityVersion);
          }
          return null;
        });
  }

  /**
   * Registers {@code self} at start, replacing a row of the same name that is no longer live.
   *
   * @return the live member that already holds the name, if any (nothing is written then)
   */
  Optional<Member> register(String cluster, Self self, Duration timeout) {
    return database.inTransaction(
        c -> {
          Optional<Member> existing =
              read(c, cluster).stream().filter(m -> m.name().equals(self.name())).findFirst();
          if (existing.isPresent()
              && existing.get().heartbeatAgeMillis() < timeout.toMillis()
              && !existing.get().state().equals("stopped")) {
            return existing;
          }
          try (PreparedStatement s =
              c.prepareStatement("DELETE FROM cohort_node WHERE cluster_name = ? AND node_name = ?")) {
            s.setString(1, cluster);
            s.setString(2, self.name());
            s.executeUpdate();
          }
          insert(c, cluster, self, "starting", 0, 0);
          return Optional.empty();
        });
  }

  /** Every row of {@code cluster}, with liveness judged by the database clock. */
  List<Member> members(String cluster, Duration timeout) {
    return database.inTransaction(
        c ->
            read(c, cluster).stream()
                .map(
                    m ->
                        new Member(
                            m.name(), m.url(), m.adminUrl(), m.version(), m.state(), m.startedAt(),
                            m.lastHeartbeat(), m.heartbeatAgeMillis(), m.clockSkewMillis(),
                            m.heartbeatAgeMillis() < timeout.toMillis()
                                && !m.state().equals("stopped"),
                            m.packagesFingerprint(), m.securityVersion()))
                .toList());
  }

  /** Marks {@code name} stopped, so that the others drop it at once. */
  void markStopped(String cluster, String name) {
    database.inTransaction(
        c -> {
          try (PreparedStatement s =
              c.prepareStatement(
                  "UPDATE cohort_node SET state = 'stopped' WHERE cluster_name = ? AND node_name = ?")) {
            s.setString(1, cluster);
            s.setString(2, name);
            return s.executeUpdate();
          }
        });
  }

  /** Removes every row of {@code cluster} (the seed's clearClusterMemberList). */
  int clear(String cluster) {
    return database.inTransaction(
        c -> {
          try (PreparedStatement s = c.prepareStatement("DELETE FROM cohort_node WHERE cluster_name = ?")) {
            s.setString(1, cluster);
            return s.executeUpdate();
          }
        });
  }

  private static void insert(
      Connection c, String cluster, Self self, String state, long skew, long securityVersion)
      throws SQLException {
    try (PreparedStatement s =
        c.prepareStatement(
            "INSERT INTO cohort_node (cluster_name, node_name, url, admin_url, version, state,"
                + " started_at, last_heartbeat, clock_skew_ms, packages_fingerprint, security_version)"
                + " VALUES (?, ?, ?, ?, ?, ?, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP, ?, ?, ?)")) {
      s.setString(1, cluster);
      s.setString(2, self.name());
      s.setString(3, self.url());
      s.setString(4, self.adminUrl());
      s.setString(5, self.version());
      s.setString(6, state);
      s.setLong(7, skew);
      s.setString(8, self.packagesFingerprint());
      s.setLong(9, securityVersion);
      s.executeUpdate();
    }
  }

  /** Rows with their heartbeat age by the database clock; {@code live} is left false. */
  private static List<Member> read(Connection c, String cluster) throws SQLException {
    List<Member> members = new ArrayList<>();
    try (PreparedStatement s =
        c.prepareStatement(
            "SELECT node_name, url, admin_url, version, state, started_at, last_heartbeat,"
                + " clock_skew_ms, packages_fingerprint, security_version,"
                + " CURRENT_TIMESTAMP AS db_now FROM cohort_node"
                + " WHERE cluster_name = ? ORDER BY node_name")) {
      s.setString(1, cluster);
      try (ResultSet rs = s.executeQuery()) {
        while (rs.next()) {
          Instant last = rs.getObject("last_heartbeat", OffsetDateTime.class).toInstant();
          Instant now = rs.getObject("db_now", OffsetDateTime.class).toInstant();
          members.add(
              new Member(
                  rs.getString("node_name"),
                  rs.getString("url"),
                  rs.getString("admin_url"),
                  rs.getString("version"),
                  rs.getString("state"),
                  rs.getObject("started_at", OffsetDateTime.class).toInstant(),
                  last,
                  Math.max(0, Duration.between(last, now).toMillis()),
                  rs.getLong("clock_skew_ms"),
                  false,
                  rs.getString("packages_fingerprint"),
                  rs.getLong("security_version")));
        }
      }
    }
    return members;
  }
}
