package dev.cohort.server.gd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.cohort.server.config.DatabaseConfig;
import dev.cohort.server.config.Secret;
import dev.cohort.server.db.Database;
import dev.cohort.server.gd.JobStore.Claim;
import dev.cohort.server.pkg.Guarantee;
import dev.cohort.server.testing.TestPostgres;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The job store's rules, on both databases it runs on: claims, leases broken on the database's
 * clock, fencing, what each guarantee makes of a crashed attempt, the retry limit, sweeping.
 * A crash is an attempt whose lease runs out without renewal: claimed with a 1 ms lease.
 */
class JobStoreTest {

  private static final long CRASHING = 1;
  private static final long LIVE = 60_000;

  @TempDir static Path dir;

  static Stream<String> databases() {
    return Stream.of("h2", "postgresql");
  }

  private static Database open(String kind) {
    if (kind.equals("h2")) {
      return Database.open(new DatabaseConfig("", "cohort", Secret.NONE, 4), dir.resolve(UUID.randomUUID().toString()));
    }
    return Database.open(new DatabaseConfig(TestPostgres.newDatabase(), "postgres", new Secret("postgres"), 4), dir);
  }

  private static JobStore.Request request(String tid, Guarantee guarantee) {
    return new JobStore.Request(tid, "ada", Tx.Kind.TX, "test.gd:svc", guarantee, "h1", "{}", false, 60_000, 3);
  }

  private static String started(JobStore store, int retries) {
    String tid = "t-" + UUID.randomUUID();
    assertThat(store.start(tid, "ada", 60_000, retries)).hasValueSatisfying(s -> assertThat(s.created()).isTrue());
    return tid;
  }

  private static void awaitBroken(JobStore store, String tid) {
    await().atMost(Duration.ofSeconds(10)).until(() -> store.find(tid).orElseThrow().leaseBroken());
  }

  @ParameterizedTest
  @MethodSource("databases")
  void aLiveLeaseKeepsOtherAttemptsOut(String kind) {
    try (Database db = open(kind)) {
      JobStore store = new JobStore(db);
      String tid = started(store, 3);
      Claim first = store.claim(request(tid, Guarantee.RETRY), "a", LIVE);
      Claim second = store.claim(request(tid, Guarantee.RETRY), "b", LIVE);

      assertThat(first).isInstanceOf(Claim.Run.class);
      assertThat(second).isInstanceOf(Claim.Running.class);
      assertThat(((Claim.Running) second).tx().leaseNode()).hasValue("a");
    }
  }

  @ParameterizedTest
  @MethodSource("databases")
  void anAttemptWhoseLeaseWasBrokenCannotEndTheTransactionAndItsWorkRollsBack(String kind) throws Exception {
    try (Database db = open(kind)) {
      db.inTransaction(c -> c.createStatement().execute("CREATE TABLE gd_effect (ref VARCHAR(80))"));
      JobStore store = new JobStore(db);
      String tid = started(store, 3);
      Claim.Run crashed = (Claim.Run) store.claim(request(tid, Guarantee.EXACTLY_ONCE), "a", CRASHING);
      awaitBroken(store, tid);
      Claim.Run rerun = (Claim.Run) store.claim(request(tid, Guarantee.EXACTLY_ONCE), "b", LIVE);
      assertThat(rerun.token()).isGreaterThan(crashed.token());

      // The first attempt was only slow, not dead: it finishes now, after the second one claimed.
      boolean ended;
      try (Connection c = db.connection()) {
        c.setAutoCommit(false);
        insert(c, tid + "-late");
        ended = store.complete(c, tid, crashed.token(), TxState.DONE, 200, "{\"by\":\"a\"}", null, null);
        if (ended) {
          c.commit();
        } else {
          c.rollback();
        }
      }
      assertThat(ended).isFalse();
      assertThat(count(db, tid + "-late")).isZero();

      try (Connection c = db.connection()) {
        c.setAutoCommit(false);
        insert(c, tid);
        assertThat(store.complete(c, tid, rerun.token(), TxState.DONE, 200, "{\"by\":\"b\"}", null, null)).isTrue();
        c.commit();
      }
      Tx done = store.find(tid).orElseThrow();
      assertThat(done.state()).isEqualTo(TxState.DONE);
      assertThat(done.result()).hasValue("{\"by\":\"b\"}");
      assertThat(done.attempts()).isEqualTo(2);
      assertThat(done.retriesLeft()).isEqualTo(2);
      assertThat(count(db, tid)).isEqualTo(1);
    }
  }

  @ParameterizedTest
  @MethodSource("databases")
  void aCrashedAtMostOnceAttemptIsInDoubtAndNeverRunsAgainByItself(String kind) {
    try (Database db = open(kind)) {
      JobStore store = new JobStore(db);
      String tid = started(store, 3);
      store.claim(request(tid, Guarantee.AT_MOST_ONCE), "a", CRASHING);
      awaitBroken(store, tid);

      Claim next = store.claim(request(tid, Guarantee.AT_MOST_ONCE), "b", LIVE);
      Claim again = store.claim(request(tid, Guarantee.AT_MOST_ONCE), "b", LIVE);

      assertThat(next).isInstanceOf(Claim.Ended.class);
      Tx tx = ((Claim.Ended) next).tx();
      assertThat(tx.state()).isEqualTo(TxState.IN_DOUBT);
      assertThat(tx.errorCode()).hasValue(JobStore.IN_DOUBT);
      assertThat(tx.errorMessage().orElseThrow()).contains("node a").contains("at-most-once");
      assertThat(again).isInstanceOf(Claim.Ended.class);
      assertThat(store.find(tid).orElseThrow().attempts()).isEqualTo(1);
    }
  }

  @ParameterizedTest
  @MethodSource("databases")
  void aRetryServiceRunsAgainUntilTheRetryLimitThenFails(String kind) {
    try (Database db = open(kind)) {
      JobStore store = new JobStore(db);
      String tid = started(store, 1);
      store.claim(request(tid, Guarantee.RETRY), "a", CRASHING);
      awaitBroken(store, tid);
      Claim second = store.claim(request(tid, Guarantee.RETRY), "b", CRASHING);
      awaitBroken(store, tid);
      Claim third = store.claim(request(tid, Guarantee.RETRY), "c", LIVE);

      assertThat(second).isInstanceOf(Claim.Run.class);
      assertThat(third).isInstanceOf(Claim.Ended.class);
      Tx failed = ((Claim.Ended) third).tx();
      assertThat(failed.state()).isEqualTo(TxState.FAILED);
      assertThat(failed.errorCode()).hasValue(JobStore.RETRIES_EXHAUSTED);
      assertThat(failed.attempts()).isEqualTo(2);
    }
  }

  @ParameterizedTest
  @MethodSource("databases")
  void aRowLockedByAnotherNodeIsBusyNotAWait(String kind) throws Exception {
    try (Database db = open(kind)) {
      JobStore store = new JobStore(db);
      String tid = started(store, 3);
      try (Connection holder = db.connection()) {
        holder.setAutoCommit(false);
        try (PreparedStatement s = holder.prepareStatement("SELECT tid FROM cohort_gd_tx WHERE tid = ? FOR UPDATE")) {
          s.setString(1, tid);
          s.executeQuery().close();
        }
        assertThatThrownBy(() -> store.claim(request(tid, Guarantee.RETRY), "b", LIVE))
            .isInstanceOf(JobStore.LockBusyException.class);
        holder.rollback();
      }
      assertThat(store.claim(request(tid, Guarantee.RETRY), "b", LIVE)).isInstanceOf(Claim.Run.class);
    }
  }

  @ParameterizedTest
  @MethodSource("databases")
  void keyRequestsMakeTheirRecordOnFirstUseAndRefuseAnotherBody(String kind) {
    try (Database db = open(kind)) {
      JobStore store = new JobStore(db);
      JobStore.Request key =
          new JobStore.Request("key-1", "ada", Tx.Kind.KEY, "test.gd:svc", Guarantee.AT_MOST_ONCE, "h1", "{}", false, 60_000, 3);
      JobStore.Request otherBody =
          new JobStore.Request("key-1", "ada", Tx.Kind.KEY, "test.gd:svc", Guarantee.AT_MOST_ONCE, "h2", "{\"x\":1}", false, 60_000, 3);
      JobStore.Request otherUser =
          new JobStore.Request("key-1", "bob", Tx.Kind.KEY, "test.gd:svc", Guarantee.AT_MOST_ONCE, "h1", "{}", false, 60_000, 3);

      assertThat(store.claim(key, "a", LIVE)).isInstanceOf(Claim.Run.class);
      assertThat(store.claim(otherBody, "a", LIVE)).isInstanceOf(Claim.Mismatch.class);
      assertThat(store.claim(otherUser, "a", LIVE)).isInstanceOf(Claim.Unknown.class);
      assertThat(store.claim(request("never-started", Guarantee.RETRY), "a", LIVE)).isInstanceOf(Claim.Unknown.class);
    }
  }

  @ParameterizedTest
  @MethodSource("databases")
  void theSweeperRemovesExpiredTransactionsButKeepsInDoubtOnes(String kind) {
    try (Database db = open(kind)) {
      JobStore withGrace = new JobStore(db);
      JobStore store = new JobStore(db, Duration.ZERO);
      String expiring = "t-" + UUID.randomUUID();
      store.start(expiring, "ada", 1_000, 0);
      String doubtful = "t-" + UUID.randomUUID();
      store.start(doubtful, "ada", 1_000, 0);
      store.claim(request(doubtful, Guarantee.AT_MOST_ONCE), "a", CRASHING);
      awaitBroken(store, doubtful);
      store.claim(request(doubtful, Guarantee.AT_MOST_ONCE), "b", LIVE);
      String lasting = started(store, 0);

      await().atMost(Duration.ofSeconds(10)).until(() -> store.find(expiring).orElseThrow().expired());
      withGrace.sweep();
      assertThat(store.find(expiring)).as("kept for the grace after its TTL").isPresent();
      store.sweep();

      assertThat(store.find(expiring)).isEmpty();
      assertThat(store.find(doubtful)).hasValueSatisfying(t -> assertThat(t.state()).isEqualTo(TxState.IN_DOUBT));
      assertThat(store.find(lasting)).isPresent();
      assertThat(store.brokenLeases(10)).extracting(Tx::tid).doesNotContain(doubtful);
    }
  }

  @ParameterizedTest
  @MethodSource("databases")
  void renewingKeepsALeaseAndAFencedLeaseIsNotRenewed(String kind) {
    try (Database db = open(kind)) {
      JobStore store = new JobStore(db);
      String tid = started(store, 3);
      Claim.Run first = (Claim.Run) store.claim(request(tid, Guarantee.RETRY), "a", CRASHING);
      awaitBroken(store, tid);
      Claim.Run second = (Claim.Run) store.claim(request(tid, Guarantee.RETRY), "b", LIVE);

      assertThat(store.renew(List.of(new JobStore.Lease(tid, first.token())), LIVE)).isZero();
      assertThat(store.renew(List.of(new JobStore.Lease(tid, second.token())), LIVE)).isEqualTo(1);
      assertThat(store.find(tid).orElseThrow().leaseNode()).hasValue("b");
      assertThat(store.end(tid)).isPresent(); // running under a live lease: stays
      assertThat(store.release(tid, second.token())).isTrue();
      assertThat(store.end(tid)).isEmpty();
      assertThat(store.find(tid)).isEqualTo(Optional.empty());
    }
  }

  private static void insert(Connection c, String ref) throws Exception {
    try (PreparedStatement s = c.prepareStatement("INSERT INTO gd_effect (ref) VALUES (?)")) {
      s.setString(1, ref);
      s.executeUpdate();
    }
  }

  private static long count(Database db, String ref) {
    return db.inTransaction(
        c -> {
          try (PreparedStatement s = c.prepareStatement("SELECT COUNT(*) FROM gd_effect WHERE ref = ?")) {
            s.setString(1, ref);
            try (ResultSet rs = s.executeQuery()) {
              rs.next();
              return rs.getLong(1);
            }
          }
        });
  }
}
