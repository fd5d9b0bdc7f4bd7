package dev.cohort.server.session;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * What every {@link SessionStore} must do. A store implementation's test extends this class and
 * says how to make an empty store; the tests use only the {@link SessionStore} interface.
 */
abstract class SessionStoreContract {

  static final Instant T0 = Instant.parse("2030-01-01T00:00:00Z");
  static final Duration IDLE = Duration.ofMinutes(30);

  private final List<SessionStore> opened = new ArrayList<>();

  /**
   * Increments per thread in the contended compare-and-set test: a distributed store pays a
   * network round trip per attempt, so it may ask for fewer on a slow machine.
   */
  protected int contendedIncrements() {
    return 500;
  }

  /** A new, empty store that holds at most {@code maxSessions} sessions. */
  protected abstract SessionStore newStore(int maxSessions);

  private SessionStore store(int maxSessions) {
    SessionStore store = newStore(maxSessions);
    opened.add(store);
    return store;
  }

  private SessionStore store() {
    return store(100);
  }

  @AfterEach
  void closeStores() {
    opened.forEach(SessionStore::close);
  }

  // --- create / get / remove / size

  @Test
  void createdSessionIsReadBackWithItsAttributes() {
    SessionStore store = store();
    var attributes = Map.of("lang", new SessionData.Attribute(bytes("de"), 3));
    var session = new SessionData("s1", "alice", T0, T0, IDLE, "csrf-s1", attributes);

    store.create(session);

    SessionData read = store.get("s1").orElseThrow();
    assertThat(read.user()).isEqualTo("alice");
    assertThat(read.createdAt()).isEqualTo(T0);
    assertThat(read.lastAccessedAt()).isEqualTo(T0);
    assertThat(read.maxIdle()).isEqualTo(IDLE);
    assertThat(read.csrfToken()).isEqualTo("csrf-s1");
    assertThat(value(store, "s1", "lang")).contains("de");
    assertThat(version(store, "s1", "lang")).isEqualTo(3);
    assertThat(store.size()).isEqualTo(1);
  }

  @Test
  void unknownSessionIsAbsent() {
    assertThat(store().get("nope")).isEmpty();
  }

  @Test
  void creatingASecondSessionWithTheSameIdIsRefusedAndKeepsTheFirst() {
    SessionStore store = store();
    store.create(session("s1", "alice"));

    assertThatThrownBy(() -> store.create(session("s1", "mallory")))
        .isInstanceOf(IllegalStateException.class);
    assertThat(store.get("s1").orElseThrow().user()).isEqualTo("alice");
    assertThat(store.size()).isEqualTo(1);
  }

  @Test
  void aFullStoreRefusesNewSessionsUntilOneIsRemoved() {
    SessionStore store = store(2);
    store.create(session("a"));
    store.create(session("b"));

    assertThatThrownBy(() -> store.create(session("c")))
        .isInstanceOf(SessionsFullException.class)
        .hasMessageContaining("2 sessions");
    assertThat(store.get("c")).isEmpty();

    store.remove("a");
    store.create(session("c"));
    assertThat(store.size()).isEqualTo(2);
  }

  @Test
  void removeDeletesTheSessionAndIgnoresUnknownIds() {
    SessionStore store = store();
    store.create(session("a"));

    store.remove("a");
    store.remove("a");
    store.remove("never-existed");

    assertThat(store.get("a")).isEmpty();
    assertThat(store.size()).isZero();
  }

  // --- apply

  @Test
  void newAttributeIsSavedWithAVersion() {
    SessionStore store = store();
    store.create(session("s"));

    assertThat(store.apply(change("s", Map.of("a", set(0, "x"))))).isEqualTo(saved());

    assertThat(value(store, "s", "a")).contains("x");
    assertThat(version(store, "s", "a")).isPositive();
  }

  @Test
  void everyChangeRaisesTheAttributesVersion() {
    SessionStore store = store();
    store.create(session("s"));
    store.apply(change("s", Map.of("a", set(0, "x"))));
    long first = version(store, "s", "a");

    assertThat(store.apply(change("s", Map.of("a", set(first, "y"))))).isEqualTo(saved());

    assertThat(version(store, "s", "a")).isGreaterThan(first);
    assertThat(value(store, "s", "a")).contains("y");
  }

  @Test
  void aChangeBasedOnAStaleVersionConflictsAndAppliesNothing() {
    SessionStore store = store();
    store.create(session("s"));
    store.apply(change("s", Map.of("a", set(0, "x"))));
    long read = version(store, "s", "a"); // two calls read the same version
    store.apply(change("s", Map.of("a", set(read, "first"))));

    SaveResult second =
        store.apply(
            change("s", T0.plusSeconds(60), Map.of("a", set(read, "second"), "b", set(0, "b"))));

    assertThat(second).isEqualTo(new SaveResult.Conflict(Set.of("a")));
    assertThat(value(store, "s", "a")).contains("first");
    assertThat(value(store, "s", "b")).isEmpty();
    assertThat(store.get("s").orElseThrow().lastAccessedAt()).isEqualTo(T0);
  }

  @Test
  void twoCallsAddingTheSameNewAttributeConflict() {
    SessionStore store = store();
    store.create(session("s"));

    assertThat(store.apply(change("s", Map.of("a", set(0, "one"))))).isEqualTo(saved());
    assertThat(store.apply(change("s", Map.of("a", set(0, "two")))))
        .isEqualTo(new SaveResult.Conflict(Set.of("a")));
    assertThat(value(store, "s", "a")).contains("one");
  }

  @Test
  void changesToDifferentAttributesMerge() {
    SessionStore store = store();
    store.create(session("s"));
    store.apply(change("s", Map.of("a", set(0, "a0"), "b", set(0, "b0"))));
    long a = version(store, "s", "a");
    long b = version(store, "s", "b");

    // Two calls read the session at the same time; each changes a different attribute.
    assertThat(store.apply(change("s", Map.of("a", set(a, "a1"))))).isEqualTo(saved());
    assertThat(store.apply(change("s", Map.of("b", set(b, "b1"))))).isEqualTo(saved());

    assertThat(value(store, "s", "a")).contains("a1");
    assertThat(value(store, "s", "b")).contains("b1");
  }

  @Test
  void anUpdateWithoutBytesRemovesTheAttribute() {
    SessionStore store = store();
    store.create(session("s"));
    store.apply(change("s", Map.of("a", set(0, "x"), "keep", set(0, "k"))));

    SaveResult result = store.apply(change("s", Map.of("a", removal(version(store, "s", "a")))));

    assertThat(result).isEqualTo(saved());
    assertThat(store.get("s").orElseThrow().attributes()).containsOnlyKeys("keep");
  }

  @Test
  void aVersionReadBeforeARemovalNeverMatchesTheAttributeAddedAgain() {
    SessionStore store = store();
    store.create(session("s"));
    store.apply(change("s", Map.of("a", set(0, "old"))));
    long stale = version(store, "s", "a");
    store.apply(change("s", Map.of("a", removal(stale))));
    store.apply(change("s", Map.of("a", set(0, "new"))));

    SaveResult result = store.apply(change("s", Map.of("a", set(stale, "from a stale call"))));

    assertThat(result).isEqualTo(new SaveResult.Conflict(Set.of("a")));
    assertThat(value(store, "s", "a")).contains("new");
  }

  @Test
  void attributesKeepGrowingVersionsAfterTheSessionIsCreatedWithVersionedAttributes() {
    SessionStore store = store();
    var attributes = Map.of("a", new SessionData.Attribute(bytes("x"), 41));
    store.create(new SessionData("s", "alice", T0, T0, IDLE, "csrf", attributes));
    store.apply(change("s", Map.of("a", removal(41))));
    store.apply(change("s", Map.of("a", set(0, "y"))));

    assertThat(version(store, "s", "a")).isGreaterThan(41);
  }

  @Test
  void changingAnAbsentSessionIsGone() {
    SessionStore store = store();
    store.create(session("s"));
    store.remove("s");

    assertThat(store.apply(change("s", Map.of("a", set(0, "x"))))).isEqualTo(gone());
    assertThat(store.apply(change("never-existed", Map.of()))).isEqualTo(gone());
    assertThat(store.get("s")).isEmpty();
  }

  @Test
  void anEmptyChangeOnlyRecordsTheAccess() {
    SessionStore store = store();
    store.create(session("s"));
    store.apply(change("s", Map.of("a", set(0, "x"))));
    long version = version(store, "s", "a");

    assertThat(store.apply(change("s", T0.plusSeconds(300), Map.of()))).isEqualTo(saved());

    SessionData read = store.get("s").orElseThrow();
    assertThat(read.lastAccessedAt()).isEqualTo(T0.plusSeconds(300));
    assertThat(version(store, "s", "a")).isEqualTo(version);
    assertThat(value(store, "s", "a")).contains("x");
  }

  @Test
  void theLastAccessNeverMovesBack() {
    SessionStore store = store();
    store.create(session("s"));
    store.apply(change("s", T0.plusSeconds(300), Map.of()));

    store.apply(change("s", T0.plusSeconds(60), Map.of("a", set(0, "late"))));

    assertThat(store.get("s").orElseThrow().lastAccessedAt()).isEqualTo(T0.plusSeconds(300));
    assertThat(value(store, "s", "a")).contains("late");
  }

  // --- sweep

  @Test
  void sweepRemovesExactlyTheExpiredSessions() {
    SessionStore store = store();
    store.create(session("old"));
    store.create(session("used"));
    store.apply(change("used", T0.plus(Duration.ofMinutes(20)), Map.of()));

    assertThat(store.sweep(T0.plus(IDLE))).isEqualTo(1);

    assertThat(store.get("old")).isEmpty();
    assertThat(store.get("used")).isPresent();
    assertThat(store.size()).isEqualTo(1);
    assertThat(store.sweep(T0.plus(IDLE))).isZero();
  }

  @Test
  void sweepingFreesRoomForNewSessions() {
    SessionStore store = store(1);
    store.create(session("old"));

    store.sweep(T0.plus(IDLE));

    store.create(session("new"));
    assertThat(store.get("new")).isPresent();
  }

  // --- concurrency

  @Test
  void concurrentChangesToDifferentAttributesAllLand() throws Exception {
    SessionStore store = store();
    store.create(session("s"));
    int threads = 8;
    int changesEach = 500;
    AtomicInteger notSaved = new AtomicInteger();

    runConcurrently(
        threads,
        thread -> {
          String name = "counter-" + thread;
          for (int i = 1; i <= changesEach; i++) {
            long base = version(store, "s", name);
            SaveResult result = store.apply(change("s", Map.of(name, set(base, "" + i))));
            if (!result.equals(saved())) {
              notSaved.incrementAndGet();
            }
          }
        });

    assertThat(notSaved).hasValue(0);
    for (int thread = 0; thread < threads; thread++) {
      assertThat(value(store, "s", "counter-" + thread)).contains("" + changesEach);
    }
  }

  @Test
  void concurrentIncrementsOfOneAttributeLoseNoUpdate() throws Exception {
    SessionStore store = store();
    store.create(session("s"));
    int threads = 8;
    int incrementsEach = contendedIncrements();
    AtomicInteger saved = new AtomicInteger();

    runConcurrently(
        threads,
        thread -> {
          for (int i = 0; i < incrementsEach; i++) {
            while (true) { // compare-and-set with retry, as a service would
              SessionData read = store.get("s").orElseThrow();
              SessionData.Attribute count = read.attributes().get("count");
              long base = count == null ? 0 : count.version();
              long value = count == null ? 0 : Long.parseLong(new String(count.bytes(), UTF_8));
              SaveResult result =
                  store.apply(change("s", Map.of("count", set(base, "" + (value + 1)))));
              if (result.equals(saved())) {
                saved.incrementAndGet();
                break;
              }
              assertThat(result).isEqualTo(new SaveResult.Conflict(Set.of("count")));
            }
          }
        });

    assertThat(saved).hasValue(threads * incrementsEach);
    assertThat(value(store, "s", "count")).contains("" + saved.get());
  }

  @Test
  void concurrentCreatesNeverExceedTheMaximum() throws Exception {
    SessionStore store = store(100);
    AtomicInteger created = new AtomicInteger();
    AtomicInteger refused = new AtomicInteger();

    runConcurrently(
        8,
        thread -> {
          for (int i = 0; i < 50; i++) {
            try {
              store.create(session("t" + thread + "-" + i));
              created.incrementAndGet();
            } catch (SessionsFullException e) {
              refused.incrementAndGet();
            }
          }
        });

    assertThat(created).hasValue(100);
    assertThat(refused).hasValue(300);
    assertThat(store.size()).isEqualTo(100);
  }

  // --- helpers

  interface ThreadBody {
    void run(int thread) throws Exception;
  }

  /** Runs {@code body} on {@code threads} threads released together; rethrows any failure. */
  static void runConcurrently(int threads, ThreadBody body) throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      CountDownLatch start = new CountDownLatch(1);
      List<Future<?>> running = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        int thread = t;
        running.add(
            pool.submit(
                () -> {
                  start.await();
                  body.run(thread);
                  return null;
                }));
      }
      start.countDown();
      for (Future<?> future : running) {
        future.get(60, TimeUnit.SECONDS);
      }
    } finally {
      pool.shutdownNow();
    }
  }

  static SessionData session(String id) {
    return session(id, "alice");
  }

  static SessionData session(String id, String user) {
    return new SessionData(id, user, T0, T0, IDLE, "csrf-" + id, Map.of());
  }

  static SessionChange change(String id, Map<String, SessionChange.Update> updates) {
    return change(id, T0, updates);
  }

  static SessionChange change(
      String id, Instant accessedAt, Map<String, SessionChange.Update> updates) {
    return new SessionChange(id, accessedAt, updates);
  }

  static SessionChange.Update set(long baseVersion, String value) {
    return new SessionChange.Update(baseVersion, Optional.of(bytes(value)));
  }

  static SessionChange.Update removal(long baseVersion) {
    return new SessionChange.Update(baseVersion, Optional.empty());
  }

  static SaveResult saved() {
    return new SaveResult.Saved();
  }

  static SaveResult gone() {
    return new SaveResult.Gone();
  }

  static byte[] bytes(String value) {
    return value.getBytes(UTF_8);
  }

  /** The attribute's version, 0 if it (or the session) is absent. */
  static long version(SessionStore store, String id, String name) {
    return store
        .get(id)
        .map(session -> session.attributes().get(name))
        .map(SessionData.Attribute::version)
        .orElse(0L);
  }

  /** The attribute's bytes as text, if present. */
  static Optional<String> value(SessionStore store, String id, String name) {
    return store
        .get(id)
        .map(session -> session.attributes().get(name))
        .map(attribute -> new String(attribute.bytes(), UTF_8));
  }
}
