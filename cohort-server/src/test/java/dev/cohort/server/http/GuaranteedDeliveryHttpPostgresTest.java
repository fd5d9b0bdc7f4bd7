package dev.cohort.server.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.cohort.server.testing.TestNode.Reply;
import dev.cohort.server.testing.TestPostgres;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/**
 * Every guaranteed-delivery HTTP test again on PostgreSQL, where an exactly-once call is claimed
 * with the first statement of its own database transaction; and what only that path shows.
 */
class GuaranteedDeliveryHttpPostgresTest extends GuaranteedDeliveryHttpTest {

  private final String url = TestPostgres.newDatabase();

  @Override
  Optional<String> databaseUrl() {
    return Optional.of(url);
  }

  @Test
  void anExactlyOnceCallsClaimCommitsOnlyWithItsWork() throws Exception {
    String ref = "inline-" + UUID.randomUUID();
    Path gate = dir.resolve("gate-" + UUID.randomUUID());
    String log = dir.resolve("log-" + UUID.randomUUID()).toString();
    String body = "{\"ref\":\"" + ref + "\",\"log\":\"" + log + "\",\"gate\":\"" + gate + "\"}";
    CompletableFuture<Reply> call =
        CompletableFuture.supplyAsync(
            () -> node.post("/invoke/test.gd/ledger", body).asAdmin().header("Idempotency-Key", "k-" + ref).send());
    await().atMost(Duration.ofSeconds(20)).until(() -> Files.exists(Path.of(log)));

    // While the service runs, neither its row nor its claim is visible to anyone else: a crash
    // now leaves nothing behind, and the retry simply runs it.
    assertThat(records("test.gd:ledger", "PENDING")).isZero();
    assertThat(ledgerRows(ref)).isZero();
    // What an operator (and the chaos test) can see: which node's connection holds a tid.
    assertThat(holders()).containsExactly("cohort test-node");

    Files.writeString(gate, "open");
    assertThat(call.get().status()).isEqualTo(200);
    assertThat(records("test.gd:ledger", "PENDING")).isZero();
    assertThat(ledgerRows(ref)).isEqualTo(1);
  }

  private java.util.List<String> holders() throws SQLException {
    java.util.List<String> names = new java.util.ArrayList<>();
    try (Connection c = DriverManager.getConnection(url);
        PreparedStatement s =
            c.prepareStatement(
                "SELECT a.application_name FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid"
                    + " WHERE l.locktype = 'advisory' AND l.classid = 1128744020 AND l.granted");
        ResultSet rs = s.executeQuery()) {
      while (rs.next()) {
        names.add(rs.getString(1));
      }
    }
    return names;
  }

  private long records(String service, String state) throws SQLException {
    return count("SELECT COUNT(*) FROM cohort_gd_tx WHERE service = ? AND state = ?", service, state);
  }

  private long ledgerRows(String ref) throws SQLException {
    return count("SELECT COUNT(*) FROM test_ledger WHERE ref = ?", ref);
  }

  private long count(String sql, String... args) throws SQLException {
    try (Connection c = DriverManager.getConnection(url);
        PreparedStatement s = c.prepareStatement(sql)) {
      for (int i = 0; i < args.length; i++) {
        s.setString(i + 1, args[i]);
      }
      try (ResultSet rs = s.executeQuery()) {
        rs.next();
        return rs.getLong(1);
      }
    }
  }
}
