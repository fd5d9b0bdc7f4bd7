package dev.cohort.server.testpkg;

import dev.cohort.api.CohortService;
import dev.cohort.api.Document;
import dev.cohort.api.ServiceContext;
import dev.cohort.api.ServiceException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * Services for the guaranteed-delivery tests. {@code test.gd:ledger} works only through the
 * call's transaction (declared exactly-once); {@code test.gd:effect} has an effect outside the
 * database, a line appended to a file (at-most-once by default; {@code test.gdretry:effect} is the
 * same declared retry).
 */
public final class GdServices {

  /** {@code {"ref":"r1"}} → inserts one ledger row for ref through the call's transaction. */
  @CohortService("test.gd:ledger")
  public Document ledger(Document input, ServiceContext context) throws Exception {
    Connection db = context.transaction();
    table(db);
    try (PreparedStatement s =
        db.prepareStatement("INSERT INTO test_ledger (ref, node_name) VALUES (?, ?)")) {
      s.setString(1, input.requireString("ref"));
      s.setString(2, context.nodeName());
      s.executeUpdate();
    }
    effects(input);
    return Document.of("ref", input.requireString("ref"), "node", context.nodeName());
  }

  /** {@code {"ref":"r1"}} → {@code {"rows":N}}, the ledger rows for ref. */
  @CohortService("test.gd:ledgerRows")
  public Document ledgerRows(Document input, ServiceContext context) throws Exception {
    Connection db = context.transaction();
    table(db);
    try (PreparedStatement s = db.prepareStatement("SELECT COUNT(*) FROM test_ledger WHERE ref = ?")) {
      s.setString(1, input.requireString("ref"));
      try (ResultSet rs = s.executeQuery()) {
        rs.next();
        return Document.of("rows", rs.getLong(1));
      }
    }
  }

  /** Appends a line to {@code log}, waits for {@code gate} if given, fails if {@code fail}. */
  @CohortService("test.gd:effect")
  public Document effect(Document input, ServiceContext context) throws Exception {
    return effects(input);
  }

  /** The same as {@code test.gd:effect}, declared retry. */
  @CohortService("test.gdretry:effect")
  public Document effectRetry(Document input, ServiceContext context) throws Exception {
    return effects(input);
  }

  /** Tries to commit the call's connection itself, which Cohort refuses. */
  @CohortService("test.gd:selfCommit")
  public Document selfCommit(Document input, ServiceContext context) throws Exception {
    context.transaction().commit();
    return Document.create();
  }

  private static Document effects(Document input) throws Exception {
    long runs = 0;
    if (input.string("log").isPresent()) {
      Path log = Path.of(input.requireString("log"));
      Files.writeString(log, "run\n", StandardOpenOption.CREATE, StandardOpenOption.APPEND);
      runs = Files.readAllLines(log).size();
    }
    if (input.string("gate").isPresent()) {
      Path gate = Path.of(input.requireString("gate"));
      long deadline = System.nanoTime() + 30_000_000_000L;
      while (!Files.exists(gate) && System.nanoTime() < deadline) {
        Thread.sleep(10);
      }
    }
    if (input.booleanValue("fail").orElse(false)) {
      throw new ServiceException("asked to fail");
    }
    return Document.of("runs", runs);
  }

  private static void table(Connection db) throws SQLException {
    try (Statement s = db.createStatement()) {
      s.execute(
          "CREATE TABLE IF NOT EXISTS test_ledger (ref VARCHAR(100) NOT NULL, node_name VARCHAR(100) NOT NULL)");
    }
  }
}
