package dev.cohort.samples;

import dev.cohort.api.CohortService;
import dev.cohort.api.Document;
import dev.cohort.api.InvalidInputException;
import dev.cohort.api.ServiceContext;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.UUID;

/**
 * Orders in the shared database, written through the call's transaction ({@link
 * ServiceContext#transaction()}). {@code placeOrder} is declared {@code exactly-once} in the
 * manifest: called with guaranteed delivery (a transaction id or an {@code Idempotency-Key}), its
 * row is inserted once however often the call is retried and whichever node crashes.
 */
public final class Orders {

  private static final int MAX_TEXT = 200;
  private static volatile boolean tableReady;

  /**
   * {@code {"sku":"x","qty":1}} (and an optional {@code "ref"}, the caller's reference, stored
   * with the order) → {@code {"orderId":"..."}}.
   */
  @CohortService("samples.orders:placeOrder")
  public Document placeOrder(Document input, ServiceContext context) throws SQLException {
    String sku = input.requireString("sku").strip();
    long qty = input.longValue("qty").orElse(1L);
    String ref = input.string("ref").orElse(null);
    if (sku.isEmpty() || sku.length() > MAX_TEXT) {
      throw new InvalidInputException("field 'sku' must be 1 to " + MAX_TEXT + " characters");
    }
    if (qty < 1 || qty > 1_000_000) {
      throw new InvalidInputException("field 'qty' must be between 1 and 1000000");
    }
    if (ref != null && ref.length() > MAX_TEXT) {
      throw new InvalidInputException("field 'ref' must be at most " + MAX_TEXT + " characters");
    }
    Connection db = context.transaction();
    ensureTable(db);
    String orderId = UUID.randomUUID().toString();
    try (PreparedStatement insert =
        db.prepareStatement(
            "INSERT INTO samples_order (order_id, sku, qty, ref, user_name, node_name, created_at)"
                + " VALUES (?, ?, ?, ?, ?, ?, CURRENT_TIMESTAMP)")) {
      insert.setString(1, orderId);
      insert.setString(2, sku);
      insert.setLong(3, qty);
      insert.setString(4, ref);
      insert.setString(5, context.caller().user());
      insert.setString(6, context.nodeName());
      insert.executeUpdate();
    }
    return Document.of("orderId", orderId);
  }

  /** {@code {}} → {@code {"count":N}}, the number of orders placed (by anyone). */
  @CohortService("samples.orders:countOrders")
  public Document countOrders(Document input, ServiceContext context) throws SQLException {
    Connection db = context.transaction();
    ensureTable(db);
    try (Statement s = db.createStatement();
        ResultSet rs = s.executeQuery("SELECT COUNT(*) FROM samples_order")) {
      rs.next();
      return Document.of("count", rs.getLong(1));
    }
  }

  /**
   * Creates the table on first use. A real package would ship a migration; a sample keeps it in
   * one place. On PostgreSQL an advisory lock makes nodes that start at once create it one after
   * the other. The table counts as ready only once a later call sees it committed.
   */
  private static void ensureTable(Connection db) throws SQLException {
    if (tableReady) {
      return;
    }
    try (ResultSet tables = db.getMetaData().getTables(null, null, "samples_order", null)) {
      if (tables.next()) {
        tableReady = true;
        return;
      }
    }
    try (Statement s = db.createStatement()) {
      if (db.getMetaData().getDatabaseProductName().equalsIgnoreCase("PostgreSQL")) {
        s.execute("SELECT pg_advisory_xact_lock(4242001)");
      }
      s.execute(
          "CREATE TABLE IF NOT EXISTS samples_order ("
              + " order_id VARCHAR(40) NOT NULL PRIMARY KEY,"
              + " sku VARCHAR(200) NOT NULL,"
              + " qty BIGINT NOT NULL,"
              + " ref VARCHAR(200),"
              + " user_name VARCHAR(64) NOT NULL,"
              + " node_name VARCHAR(255) NOT NULL,"
              + " created_at TIMESTAMP WITH TIME ZONE NOT NULL)");
    }
  }
}
