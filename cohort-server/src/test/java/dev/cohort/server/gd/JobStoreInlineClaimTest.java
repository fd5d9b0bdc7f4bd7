package dev.cohort.server.gd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cohort.server.config.DatabaseConfig;
import dev.cohort.server.config.Secret;
import dev.cohort.server.db.Database;
import dev.cohort.server.gd.JobStore.Claim;
import dev.cohort.server.pkg.Guarantee;
import dev.cohort.server.testing.TestPostgres;
import java.nio.file.Path;
import java.sql.Connection;
import java.time.Duration;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Claims made with the first statement of the service's own transaction (PostgreSQL): nothing is
 * visible until the work commits, a rollback leaves nothing, and a second attempt neither runs nor
 * waits while the first is open.
 */
class JobStoreInlineClaimTest {

  private static final long LIVE = 60_000;

  @TempDir static Path dir;
  static Database db;
  static JobStore store;

  @BeforeAll
  static void open() {
    db = Database.open(new DatabaseConfig(TestPostgres.newDatabase(), "postgres", new Secret("postgres"), 6), dir);
    store = new JobStore(db);
  }

  @AfterAll
  static void close() {
    db.close();
  }

  private static JobStore.Request key(String tid, String owner, String bodyHash) {
    return new JobStore.Request(tid, owner, Tx.Kind.KEY, "test.gd:svc", Guarantee.EXACTLY_ONCE, bodyHash, "{}", false, LIVE, 3);
  }

  private static JobStore.Request tx(String tid, String owner) {
    return new JobStore.Request(tid, owner, Tx.Kind.TX, "test.gd:svc", Guarantee.EXACTLY_ONCE, "h1", "{}", false, LIVE, 2);
  }

  private static Connection begin() throws Exception {
    Connection c = db.connection();
    c.setAutoCommit(false);
    return c;
  }

  @Test
  void aKeysFirstClaimIsInvisibleUntilItCommitsWithItsOutcome() throws Exception {
    String tid = "key-" + UUID.randomUUID();
    try (Connection c = begin()) {
      Claim.Run run = store.claimInline(c, key(tid, "ada", "h1"), true, "a", LIVE).orElseThrow();
      assertThat(run.tx().state()).isEqualTo(TxState.PENDING);
      assertThat(run.tx().attempts()).isEqualTo(1);
      assertThat(store.find(tid)).isEmpty();
      assertThat(store.commitInline(c, key(tid, "ada", "h1"), run, "{\"r\":1}")).isTrue();
      // Committed by commitInline itself, with the record's write: others see it now.
      assertThat(store.find(tid)).isPresent();
    }
    Tx done = store.find(tid).orElseThrow();
    assertThat(done.state()).isEqualTo(TxState.DONE);
    assertThat(done.result()).hasValue("{\"r\":1}");
    assertThat(done.leaseNode()).isEmpty();
  }

  @Test
  void aRolledBackClaimLeavesNothingSoTheRetryRuns() throws Exception {
    String tid = "key-" + UUID.randomUUID();
    try (Connection c = begin()) {
      assertThat(store.claimInline(c, key(tid, "ada", "h1"), true, "a", LIVE)).isPresent();
      c.rollback(); // the node died mid-call: its connection's transaction is rolled back
    }
    assertThat(store.find(tid)).isEmpty();
    try (Connection c = begin()) {
      assertThat(store.claimInline(c, key(tid, "ada", "h1"), true, "b", LIVE)).isPresent();
      c.rollback();
    }
  }

  @Test
  void whileAClaimIsOpenOtherAttemptsAreRefusedAtOnceInsteadOfWaiting() throws Exception {
    String tid = "key-" + UUID.randomUUID();
    try (Connection first = begin()) {
      assertThat(store.claimInline(first, key(tid, "ada", "h1"), true, "a", LIVE)).isPresent();

      CompletableFuture<Optional<Claim.Run>> inline =
          CompletableFuture.supplyAsync(
              () -> {
                try (Connection second = begin()) {
                  Optional<Claim.Run> claimed = store.claimInline(second, key(tid, "ada", "h1"), true, "b", LIVE);
                  second.rollback();
                  return claimed;
                } catch (Exception e) {
                  throw new IllegalStateException(e);
                }
              });
      assertThat(inline.get(20, TimeUnit.SECONDS)).isEmpty();
      CompletableFuture<Claim> ordinary = CompletableFuture.supplyAsync(() -> store.claim(key(tid, "ada", "h1"), "b", LIVE));
      assertThatThrownBy(() -> ordinary.get(20, TimeUnit.SECONDS)).hasCauseInstanceOf(JobStore.LockBusyException.class);
      first.rollback();
    }
  }

  @Test
  void aHolderIdleForLongerThanTheLeaseLosesTheTidAndCannotCommit() throws Exception {
    String tid = "key-" + UUID.randomUUID();
    Connection frozen = begin();
    try {
      Claim.Run run = store.claimInline(frozen, key(tid, "ada", "h1"), true, "a", 1000).orElseThrow();
      // Its node freezes mid-call: the connection stays open, nothing more is sent on it.
      org.awaitility.Awaitility.await()
          .atMost(Duration.ofSeconds(30))
          .untilAsserted(
              () -> {
                try (Connection other = begin()) {
                  Optional<Claim.Run> claimed = store.claimInline(other, key(tid, "ada", "h1"), true, "b", LIVE);
                  other.rollback();
                  assertThat(claimed).as("another attempt's claim").isPresent();
                }
              });
      // When the node wakes up, its attempt cannot commit anything.
      assertThatThrownBy(() -> store.commitInline(frozen, key(tid, "ada", "h1"), run, "{}"))
          .isInstanceOf(java.sql.SQLException.class);
    } finally {
      frozen.close();
    }
    assertThat(store.find(tid)).isEmpty();
    for (int i = 0; i < 12; i++) {
      assertThat(store.find(tid)).as("the pool after a connection was ended").isEmpty();
    }
  }

  @Test
  void anAttemptThatFindsTheRecordWrittenWhenItCompletesGivesWayToIt() throws Exception {
    String tid = "key-" + UUID.randomUUID();
    try (Connection late = begin()) {
      Claim.Run run = store.claimInline(late, key(tid, "ada", "h1"), true, "a", LIVE).orElseThrow();
      late.commit(); // its lock ends here, as if this attempt had committed just before its snapshot
      Claim.Run other = (Claim.Run) store.claim(key(tid, "ada", "h1"), "b", LIVE);
      db.inTransaction(c -> store.complete(c, tid, other.token(), TxState.DONE, 200, "{\"by\":\"b\"}", null, null));
      assertThat(store.commitInline(late, key(tid, "ada", "h1"), run, "{\"by\":\"a\"}")).isFalse();
      late.rollback();
    }
    assertThat(store.find(tid).orElseThrow().result()).hasValue("{\"by\":\"b\"}");
  }

  @Test
  void whenTheRecordCannotBeWrittenNothingOfTheWorkIsCommitted() throws Exception {
    String tid = "t-" + UUID.randomUUID();
    db.inTransaction(
        c -> {
          try (var s = c.createStatement()) {
            s.execute("CREATE TABLE IF NOT EXISTS inline_work (tid TEXT NOT NULL)");
          }
          return null;
        });
    try (Connection c = begin()) {
      Claim.Run run = store.claimInline(c, tx(tid, "ada"), true, "a", LIVE).orElseThrow();
      try (var work = c.prepareStatement("INSERT INTO inline_work (tid) VALUES (?)")) {
        work.setString(1, tid);
        work.executeUpdate();
      }
      store.start(tid, "ada", LIVE, 2).orElseThrow(); // a start that raced the claim, committed first
      assertThat(store.commitInline(c, tx(tid, "ada"), run, "{}")).isFalse();
      c.rollback();
    }
    assertThat(store.find(tid).orElseThrow().state()).isEqualTo(TxState.NEW);
    long rows =
        db.inTransaction(
            c -> {
              try (var s = c.prepareStatement("SELECT COUNT(*) FROM inline_work WHERE tid = ?")) {
                s.setString(1, tid);
                try (var rs = s.executeQuery()) {
                  rs.next();
                  return rs.getLong(1);
                }
              }
            });
    assertThat(rows).as("the work of an attempt whose record could not be written").isZero();
  }

  @Test
  void aKeyThatExistsIsLeftToTheOrdinaryClaim() throws Exception {
    String tid = "key-" + UUID.randomUUID();
    Claim.Run done = (Claim.Run) store.claim(key(tid, "ada", "h1"), "a", LIVE);
    db.inTransaction(c -> store.complete(c, tid, done.token(), TxState.DONE, 200, "{}", null, null));
    try (Connection c = begin()) {
      assertThat(store.claimInline(c, key(tid, "ada", "h1"), true, "b", LIVE)).isEmpty();
      c.rollback();
    }
    assertThat(store.claim(key(tid, "ada", "h1"), "b", LIVE)).isInstanceOf(Claim.Ended.class);
  }

  @Test
  void aStartedTransactionIsClaimedOnlyWhenItIsNewUnexpiredAndTheCallersOwn() throws Exception {
    String tid = "t-" + UUID.randomUUID();
    store.start(tid, "ada", LIVE, 2).orElseThrow();
    try (Connection c = begin()) {
      assertThat(store.claimInline(c, tx(tid, "bob"), false, "a", LIVE)).isEmpty();
      c.rollback();
    }
    try (Connection c = begin()) {
      Claim.Run run = store.claimInline(c, tx(tid, "ada"), false, "a", LIVE).orElseThrow();
      assertThat(run.tx().retriesLeft()).isEqualTo(2);
      assertThat(store.find(tid).orElseThrow().state()).isEqualTo(TxState.NEW);
      assertThat(store.commitInline(c, tx(tid, "ada"), run, "{}")).isTrue();
      c.commit();
    }
    try (Connection c = begin()) {
      assertThat(store.claimInline(c, tx(tid, "ada"), false, "b", LIVE)).isEmpty(); // DONE now
      c.rollback();
    }

    String expired = "t-" + UUID.randomUUID();
    store.start(expired, "ada", 1000, 2).orElseThrow();
    org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> store.find(expired).orElseThrow().expired());
    try (Connection c = begin()) {
      assertThat(store.claimInline(c, tx(expired, "ada"), false, "a", LIVE)).isEmpty();
      c.rollback();
    }
  }

  @Test
  void aTransactionStartedByItsFirstCallTakesTheCallsLimits() throws Exception {
    String tid = "t-" + UUID.randomUUID();
    try (Connection c = begin()) {
      Claim.Run run = store.claimInline(c, tx(tid, "ada"), true, "a", LIVE).orElseThrow();
      assertThat(run.tx().kind()).isEqualTo(Tx.Kind.TX);
      assertThat(run.tx().retries()).isEqualTo(2);
      assertThat(run.tx().ttlMillis()).isEqualTo(LIVE);
      assertThat(store.commitInline(c, tx(tid, "ada"), run, "{}")).isTrue();
      c.commit();
    }
    assertThat(store.find(tid).orElseThrow().state()).isEqualTo(TxState.DONE);
  }

  @Test
  void endingSeveralAtOnceKeepsRunningOnesAndOthersTransactions() throws Exception {
    String done = "t-" + UUID.randomUUID();
    String running = "t-" + UUID.randomUUID();
    String bobs = "t-" + UUID.randomUUID();
    store.start(done, "ada", LIVE, 0).orElseThrow();
    store.start(running, "ada", LIVE, 0).orElseThrow();
    store.start(bobs, "bob", LIVE, 0).orElseThrow();
    store.claim(tx(running, "ada"), "a", LIVE);
    assertThat(store.endAll("ada", java.util.List.of(done, running, bobs, "t-never"))).containsExactly(running);
    assertThat(store.find(done)).isEmpty();
    assertThat(store.find(running)).isPresent();
    assertThat(store.find(bobs)).isPresent();
  }
}
