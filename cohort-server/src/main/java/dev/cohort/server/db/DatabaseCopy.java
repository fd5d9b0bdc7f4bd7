package dev.cohort.server.db;

import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Copies every Cohort table of one database into another (the step from the embedded database
 * to a shared PostgreSQL before joining a cluster). Both are migrated to the current schema
 * first; the copy runs in one transaction on the target, parents before children. A target that
 * holds rows the source does not have is refused unless forced, so nothing is overwritten by
 * accident. Node-local runtime state (the cluster member registry) is not copied.
 */
public final class DatabaseCopy {

  /** Tables that hold runtime state of running nodes, not data to move. */
  private static final Set<String> NOT_COPIED = Set.of("cohort_node", "cohort_schema_history");

  private DatabaseCopy() {}

  /**
   * The outcome.
   *
   * @param rows table → rows copied, in copy order
   */
  public record Result(Map<String, Integer> rows) {}

  /**
   * Copies {@code source} into {@code target}.
   *
   * @param force replace the target's rows even if it holds rows the source does not have
   * @throws DatabaseException if the target holds rows whose primary keys the source does not
   *     have and {@code force} is false (the message names the tables), or the copy fails
   *     (nothing is changed then)
   */
  public static Result copy(Database source, Database target, boolean force) {
    try (Connection from = source.connection();
        Connection to = target.connection()) {
      List<String> tables = tablesInDependencyOrder(from);
      Map<String, List<List<Object>>> data = new LinkedHashMap<>();
      Map<String, List<String>> columns = new LinkedHashMap<>();
      for (String table : tables) {
        columns.put(table, columnsOf(from, table));
        data.put(table, rows(from, table, columns.get(table)));
      }
      if (!force) {
        List<String> other = new ArrayList<>();
        for (String table : tables) {
          List<String> key = keyOf(from, table, columns.get(table));
          Set<List<Object>> sourceKeys = new HashSet<>(normalized(data.get(table), columns.get(table), key));
          long extra =
              normalized(rows(to, table, columns.get(table)), columns.get(table), key).stream()
                  .filter(r -> !sourceKeys.contains(r))
                  .count();
          if (extra > 0) {
            other.add(table + " (" + extra + " row(s))");
          }
        }
        if (!other.isEmpty()) {
          throw new DatabaseException(
              "the target database already holds data the source does not have: "
                  + String.join(", ", other)
                  + "; nothing was copied. Use --force to replace it");
        }
      }
      to.setAutoCommit(false);
      try {
        for (int i = tables.size() - 1; i >= 0; i--) {
          try (Statement s = to.createStatement()) {
            s.executeUpdate("DELETE FROM " + tables.get(i));
          }
        }
        Map<String, Integer> counts = new LinkedHashMap<>();
        for (String table : tables) {
          counts.put(table, insert(to, table, columns.get(table), data.get(table)));
        }
        to.commit();
        return new Result(counts);
      } catch (SQLException | RuntimeException e) {
        to.rollback();
        throw e;
      }
    } catch (SQLException e) {
      throw new DatabaseException("copying the database failed, nothing was changed: " + e.getMessage(), e);
    }
  }

  private static List<String> tablesInDependencyOrder(Connection c) throws SQLException {
    DatabaseMetaData meta = c.getMetaData();
    String schema = c.getSchema();
    Set<String> tables = new LinkedHashSet<>();
    try (ResultSet rs = meta.getTables(null, schema, "cohort%", new String[] {"TABLE"})) {
      while (rs.next()) {
        String name = rs.getString("TABLE_NAME").toLowerCase(java.util.Locale.ROOT);
        if (!NOT_COPIED.contains(name)) {
          tables.add(name);
        }
      }
    }
    Map<String, Set<String>> parents = new LinkedHashMap<>();
    for (String table : tables) {
      Set<String> p = new HashSet<>();
      try (ResultSet rs = meta.getImportedKeys(null, schema, table)) {
        while (rs.next()) {
          String parent = rs.getString("PKTABLE_NAME").toLowerCase(java.util.Locale.ROOT);
          if (!parent.equals(table)) {
            p.add(parent);
          }
        }
      }
      parents.put(table, p);
    }
    List<String> ordered = new ArrayList<>();
    while (ordered.size() < tables.size()) {
      boolean progressed = false;
      for (String table : tables) {
        if (!ordered.contains(table) && ordered.containsAll(parents.get(table))) {
          ordered.add(table);
          progressed = true;
        }
      }
      if (!progressed) {
        throw new DatabaseException("the tables' foreign keys form a cycle: " + parents);
      }
    }
    return ordered;
  }

  private static List<String> columnsOf(Connection c, String table) throws SQLException {
    try (Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT * FROM " + table + " WHERE 1 = 0")) {
      ResultSetMetaData meta = rs.getMetaData();
      List<String> columns = new ArrayList<>();
      for (int i = 1; i <= meta.getColumnCount(); i++) {
        columns.add(meta.getColumnName(i).toLowerCase(java.util.Locale.ROOT));
      }
      return columns;
    }
  }

  private static List<List<Object>> rows(Connection c, String table, List<String> columns)
      throws SQLException {
    List<List<Object>> rows = new ArrayList<>();
    try (Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT " + String.join(", ", columns) + " FROM " + table)) {
      while (rs.next()) {
        List<Object> row = new ArrayList<>(columns.size());
        for (int i = 1; i <= columns.size(); i++) {
          row.add(rs.getObject(i));
        }
        rows.add(row);
      }
    }
    return rows;
  }

  /** The primary key's columns, or all columns for a table without one. */
  private static List<String> keyOf(Connection c, String table, List<String> columns)
      throws SQLException {
    List<String> key = new ArrayList<>();
    try (ResultSet rs = c.getMetaData().getPrimaryKeys(null, c.getSchema(), table)) {
      while (rs.next()) {
        key.add(rs.getString("COLUMN_NAME").toLowerCase(java.util.Locale.ROOT));
      }
    }
    return key.isEmpty() ? columns : key;
  }

  /**
   * The {@code key} columns of {@code rows}, comparable across drivers (timestamps as instants,
   * numbers as decimals).
   */
  private static List<List<Object>> normalized(
      List<List<Object>> rows, List<String> columns, List<String> key) {
    return rows.stream()
        .map(
            row ->
                key.stream()
                    .map(k -> row.get(columns.indexOf(k)))
                    .map(
                        v ->
                            switch (v) {
                              case java.time.OffsetDateTime t -> (Object) t.toInstant();
                              case java.sql.Timestamp t -> t.toInstant();
                              case Number n -> new java.math.BigDecimal(n.toString()).stripTrailingZeros();
                              case byte[] b -> Arrays.toString(b);
                              case null -> "\u0000null";
                              default -> v;
                            })
                    .toList())
        .toList();
  }

  private static int insert(Connection c, String table, List<String> columns, List<List<Object>> rows)
      throws SQLException {
    if (rows.isEmpty()) {
      return 0;
    }
    String sql =
        "INSERT INTO " + table + " (" + String.join(", ", columns) + ") VALUES ("
            + String.join(", ", columns.stream().map(x -> "?").toList()) + ")";
    try (PreparedStatement s = c.prepareStatement(sql)) {
      for (List<Object> row : rows) {
        for (int i = 0; i < row.size(); i++) {
          s.setObject(i + 1, row.get(i));
        }
        s.addBatch();
      }
      s.executeBatch();
    }
    return rows.size();
  }
}
