package dev.cohort.server.session;

import dev.cohort.server.testing.LogCapture;
import dev.cohort.server.testing.MutableClock;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.cohort.api.Caller;
import dev.cohort.server.config.SessionConfig;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class SessionsTest {

  private static final Instant T0 = Instant.parse("2030-01-01T00:00:00Z");
  private static final Duration TIMEOUT = Duration.ofMinutes(30);
  private static final Duration SWEEP_INTERVAL = Duration.ofMillis(20);
  private static final ClassLoader LOADER = SessionsTest.class.getClassLoader();

  private final MutableClock clock = new MutableClock(T0);
  private final AttributeCodec codec = new AttributeCodec(type -> false);
  private final SweepFailingStore store = new SweepFailingStore(new InMemorySessionStore(100));
  private final Sessions sessions = sessions(store);
  private final ScheduledThreadPoolExecutor scheduler = new ScheduledThreadPoolExecutor(1);

  SessionsTest() {
    scheduler.setRemoveOnCancelPolicy(true); // so the queue shows which tasks are still scheduled
  }

  @AfterEach
  void stop() {
    sessions.close();
    scheduler.shutdownNow();
  }

  private Sessions sessions(SessionStore store) {
    return new Sessions(
        store, new SessionConfig(TIMEOUT, SWEEP_INTERVAL, false, 100), codec, clock);
  }

  @Test
  void aReadOnlyCallRecordsItsAccessOnlyWhenTheLastOneIsOlderThanOnePercentOfTheTimeout() {
    SessionData created = sessions.create("alice");
    Duration onePercent = TIMEOUT.dividedBy(100); // 18 s

    clock.advance(onePercent.minusSeconds(1));
    sessions.save(sessions.open(sessions.find(created.id()).orElseThrow(), LOADER));
    assertThat(sessions.find(created.id()).orElseThrow().lastAccessedAt())
        .as("no write for a read-only call right after another")
        .isEqualTo(T0);

    clock.advance(Duration.ofSeconds(2));
    sessions.save(sessions.open(sessions.find(created.id()).orElseThrow(), LOADER));
    assertThat(sessions.find(created.id()).orElseThrow().lastAccessedAt()).isEqualTo(clock.instant());

    LiveSession writing = sessions.open(sessions.find(created.id()).orElseThrow(), LOADER);
    clock.advance(Duration.ofSeconds(1));
    writing.put("cart", "book");
    sessions.save(writing);
    assertThat(sessions.find(created.id()).orElseThrow().lastAccessedAt())
        .as("a call that changes something always records its access")
        .isEqualTo(clock.instant());
  }

  @Test
  void aNewSessionHasUnguessableUrlSafeIdAndCsrfToken() {
    SessionData session = sessions.create("alice");

    assertThat(session.id()).matches("[A-Za-z0-9_-]{43}"); // 32 random bytes
    assertThat(session.csrfToken()).matches("[A-Za-z0-9_-]{43}").isNotEqualTo(session.id());
    assertThat(session.user()).isEqualTo("alice");
    assertThat(session.createdAt()).isEqualTo(T0);
    assertThat(session.lastAccessedAt()).isEqualTo(T0);
    assertThat(session.maxIdle()).isEqualTo(TIMEOUT);
    assertThat(session.attributes()).isEmpty();
    assertThat(sessions.find(session.id())).contains(session);

    Set<String> tokens = new HashSet<>();
    for (int i = 0; i < 50; i++) {
      SessionData another = sessions.create("alice");
      tokens.add(another.id());
      tokens.add(another.csrfToken());
    }
    assertThat(tokens).hasSize(100);
    assertThat(sessions.count()).isEqualTo(51);
  }

  @Test
  void newSessionsGetIdsTheStorePrefers() {
    // A store that prefers three ids in four: 16 candidates miss only with odds of 4^-16.
    var picky = new Picky(new InMemorySessionStore(100));
    try (var withPicky =
        new Sessions(picky, new SessionConfig(TIMEOUT, SWEEP_INTERVAL, false, 100), codec, clock)) {
      for (int i = 0; i < 50; i++) {
        assertThat(picky.prefersId(withPicky.create("alice").id())).isTrue();
      }
    }
  }

  @Test
  void aFullNodeRefusesNewSessions() {
    try (var small =
        new Sessions(
            new InMemorySessionStore(1),
            new SessionConfig(TIMEOUT, SWEEP_INTERVAL, false, 1),
            codec,
            clock)) {
      small.create("alice");

      assertThatThrownBy(() -> small.create("bob")).isInstanceOf(SessionsFullException.class);
    }
  }

  @Test
  void aSessionIsFoundUntilItHasBeenIdleForTheTimeout() {
    SessionData session = sessions.create("alice");

    clock.advance(TIMEOUT.minusMillis(1));
    assertThat(sessions.find(session.id())).isPresent();

    clock.advance(Duration.ofMillis(1));
    assertThat(sessions.find(session.id())).isEmpty();
    assertThat(sessions.count()).isZero();
  }

  @Test
  void unknownOrMissingIdsFindNothing() {
    assertThat(sessions.find("no-such-session")).isEmpty();
    assertThat(sessions.find(null)).isEmpty();
  }

  @Test
  void eachSavedCallKeepsTheSessionAlive() {
    SessionData session = sessions.create("alice");

    clock.advance(Duration.ofMinutes(20));
    LiveSession call = sessions.open(sessions.find(session.id()).orElseThrow(), LOADER);
    assertThat(sessions.save(call)).isEqualTo(new SaveResult.Saved());
    clock.advance(Duration.ofMinutes(20));

    assertThat(sessions.find(session.id())).isPresent();
  }

  @Test
  void whatACallPutsIsThereForTheNextCall() {
    SessionData session = sessions.create("alice");
    LiveSession first = sessions.open(session, LOADER);
    first.put("cart", List.of("book"));

    assertThat(sessions.save(first)).isEqualTo(new SaveResult.Saved());

    LiveSession next = sessions.open(sessions.find(session.id()).orElseThrow(), LOADER);
    assertThat(next.get("cart")).contains(List.of("book"));
  }

  @Test
  void twoCallsChangingTheSameAttributeConflict() {
    SessionData session = sessions.create("alice");
    LiveSession one = sessions.open(session, LOADER);
    LiveSession two = sessions.open(session, LOADER);
    one.put("step", 1);
    two.put("step", 2);

    assertThat(sessions.save(one)).isEqualTo(new SaveResult.Saved());
    assertThat(sessions.save(two)).isEqualTo(new SaveResult.Conflict(Set.of("step")));
  }

  @Test
  void savingAnInvalidatedSessionRemovesIt() {
    SessionData session = sessions.create("alice");
    LiveSession call = sessions.open(session, LOADER);
    call.put("cart", "c");
    call.invalidate();

    assertThat(sessions.save(call)).isEqualTo(new SaveResult.Saved());

    assertThat(sessions.find(session.id())).isEmpty();
    assertThat(sessions.count()).isZero();
  }

  @Test
  void savingASessionEndedMeanwhileIsGone() {
    SessionData session = sessions.create("alice");
    LiveSession call = sessions.open(session, LOADER);
    call.put("cart", "c");

    sessions.invalidate(session.id());

    assertThat(sessions.save(call)).isEqualTo(new SaveResult.Gone());
    assertThat(sessions.find(session.id())).isEmpty();
  }

  @Test
  void aNonSerializableValueIsReportedThroughTheSessionLog() {
    try (var log = new LogCapture()) {
      LiveSession call = sessions.open(sessions.create("alice"), LOADER);

      call.put("lock", new Object());

      assertThat(log.warnings()).singleElement().asString().contains("COH.0300.0001W");
    }
  }

  @Test
  void rotationForTheSameUserMovesTheAttributesToANewIdAndToken() {
    SessionData old = sessionWith("alice", "cart", "book");

    SessionData rotated = sessions.rotate(old, "alice");

    assertRotated(old, rotated, "alice");
    assertThat(attribute(rotated, "cart")).contains("book");
  }

  @Test
  void rotationFromTheAnonymousCallerMovesTheAttributes() {
    SessionData old = sessionWith(Caller.ANONYMOUS, "cart", "book");

    SessionData rotated = sessions.rotate(old, "alice");

    assertRotated(old, rotated, "alice");
    assertThat(attribute(rotated, "cart")).contains("book");
  }

  @Test
  void rotationToAnotherUserLeavesTheAttributesBehind() {
    SessionData old = sessionWith("alice", "cart", "book");

    SessionData rotated = sessions.rotate(old, "mallory");

    assertRotated(old, rotated, "mallory");
    assertThat(rotated.attributes()).isEmpty();
  }

  @Test
  void rotationCarriesWhatWasSavedAfterTheOldSessionWasRead() {
    SessionData old = sessions.create("alice");
    LiveSession call = sessions.open(old, LOADER);
    call.put("cart", "book");
    sessions.save(call);

    SessionData rotated = sessions.rotate(old, "alice");

    assertThat(attribute(rotated, "cart")).contains("book");
  }

  @Test
  void theSweeperRemovesExpiredSessions() {
    SessionData old = sessions.create("alice");
    clock.advance(Duration.ofMinutes(20));
    SessionData recent = sessions.create("bob");
    clock.advance(Duration.ofMinutes(15));

    sessions.startSweeping(scheduler);

    await().atMost(Duration.ofSeconds(10)).until(() -> store.get(old.id()).isEmpty());
    assertThat(store.get(recent.id())).isPresent();
    assertThat(sessions.count()).isEqualTo(1);
  }

  @Test
  void theSweeperKeepsGoingAfterAFailure() {
    SessionData old = sessions.create("alice");
    clock.advance(TIMEOUT);
    store.failNextSweeps(2);

    sessions.startSweeping(scheduler);

    await().atMost(Duration.ofSeconds(10)).until(() -> store.get(old.id()).isEmpty());
    assertThat(store.failedSweeps()).isEqualTo(2);
  }

  @Test
  void sweepingCanStartOnlyOnce() {
    sessions.startSweeping(scheduler);

    assertThatThrownBy(() -> sessions.startSweeping(scheduler))
        .isInstanceOf(IllegalStateException.class);
    assertThat(scheduler.getQueue()).hasSize(1);
  }

  @Test
  void closingStopsTheSweeperAndClosesTheStore() {
    sessions.startSweeping(scheduler);
    assertThat(scheduler.getQueue()).hasSize(1);

    sessions.close();

    assertThat(scheduler.getQueue()).isEmpty();
    assertThat(store.closed()).isTrue();
  }

  private SessionData sessionWith(String user, String name, String value) {
    SessionData session = sessions.create(user);
    LiveSession call = sessions.open(session, LOADER);
    call.put(name, value);
    assertThat(sessions.save(call)).isEqualTo(new SaveResult.Saved());
    return sessions.find(session.id()).orElseThrow();
  }

  private void assertRotated(SessionData old, SessionData rotated, String user) {
    assertThat(rotated.id()).isNotEqualTo(old.id()).matches("[A-Za-z0-9_-]{43}");
    assertThat(rotated.csrfToken()).isNotEqualTo(old.csrfToken());
    assertThat(rotated.user()).isEqualTo(user);
    assertThat(sessions.find(old.id())).isEmpty();
    assertThat(sessions.find(rotated.id())).contains(rotated);
    assertThat(sessions.count()).isEqualTo(1);
  }

  private Optional<Object> attribute(SessionData session, String name) {
    return sessions.open(session, LOADER).get(name);
  }

  /** A store that passes every call to {@code delegate}; tests override what they change. */
  private abstract static class DelegatingStore implements SessionStore {

    final SessionStore delegate;

    DelegatingStore(SessionStore delegate) {
      this.delegate = delegate;
    }

    @Override
    public Optional<SessionData> get(String id) {
      return delegate.get(id);
    }

    @Override
    public void create(SessionData session) {
      delegate.create(session);
    }

    @Override
    public SaveResult apply(SessionChange change) {
      return delegate.apply(change);
    }

    @Override
    public void remove(String id) {
      delegate.remove(id);
    }

    @Override
    public int sweep(Instant now) {
      return delegate.sweep(now);
    }

    @Override
    public int size() {
      return delegate.size();
    }

    @Override
    public void close() {
      delegate.close();
    }
  }

  /** A store whose next sweeps can be made to fail; remembers whether it was closed. */
  private static final class SweepFailingStore extends DelegatingStore {

    private final AtomicInteger toFail = new AtomicInteger();
    private final AtomicInteger failed = new AtomicInteger();
    private final AtomicBoolean closed = new AtomicBoolean();

    SweepFailingStore(SessionStore delegate) {
      super(delegate);
    }

    void failNextSweeps(int count) {
      toFail.set(count);
    }

    int failedSweeps() {
      return failed.get();
    }

    boolean closed() {
      return closed.get();
    }

    @Override
    public int sweep(Instant now) {
      if (toFail.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
        failed.incrementAndGet();
        throw new IllegalStateException("sweep failure injected by the test");
      }
      return delegate.sweep(now);
    }

    @Override
    public void close() {
      closed.set(true);
      delegate.close();
    }
  }

  /** An in-memory store that prefers ids starting with a letter or '-' (48 of 64 characters). */
  private static final class Picky extends DelegatingStore {

    Picky(SessionStore delegate) {
      super(delegate);
    }

    @Override
    public boolean prefersId(String id) {
      char c = id.charAt(0);
      return c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c == '-';
    }
  }
}
