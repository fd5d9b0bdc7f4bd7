package dev.cohort.server.session;

import dev.cohort.api.Caller;
import dev.cohort.server.config.SessionConfig;
import java.security.SecureRandom;
import java.time.Instant;
import java.time.InstantSource;
import java.util.Base64;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The node's sessions: finds, creates, rotates and saves them over a {@link SessionStore}, and
 * sweeps expired ones periodically.
 */
public final class Sessions implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(Sessions.class);
  private static final Logger LIVE_LOG = LoggerFactory.getLogger(LiveSession.class);
  private static final int TOKEN_BYTES = 32;

  private final SessionStore store;
  private final SessionConfig config;
  private final AttributeCodec codec;
  private final InstantSource clock;
  private final DecodedValues decoded;
  private final SecureRandom random = new SecureRandom();
  private final AtomicReference<ScheduledFuture<?>> sweeping = new AtomicReference<>();

  /**
   * @param store where the sessions live
   * @param config timeout, sweep interval and limits ({@code session.*})
   * @param codec turns attribute values into bytes and back
   * @param clock decides creation, access and expiry times
   */
  public Sessions(
      SessionStore store, SessionConfig config, AttributeCodec codec, InstantSource clock) {
    this.store = store;
    this.config = config;
    this.codec = codec;
    this.clock = clock;
    this.decoded = new DecodedValues(DECODED_CAPACITY, codec);
  }

  /** Most sessions whose attribute objects are kept for their next call on this node. */
  static final int DECODED_CAPACITY = 10_000;

  /** The session with {@code id} if it exists and has not expired. */
  public Optional<SessionData> find(String id) {
    if (id == null) {
      return Optional.empty();
    }
    Optional<SessionData> found = store.get(id);
    if (found.isPresent() && found.get().expiredAt(clock.instant())) {
      end(id);
      return Optional.empty();
    }
    return found;
  }

  /**
   * Creates a session for {@code user} with a fresh unguessable id and CSRF token.
   *
   * @throws SessionsFullException at {@code session.max-sessions}
   */
  public SessionData create(String user) {
    return createWith(user, Map.of());
  }

  /**
   * Replaces {@code old} by a session with a new id for {@code user} (login: no fixation). The
   * attributes move along only when {@code old} belonged to the same user or to the anonymous
   * caller; {@code old} is removed.
   */
  public SessionData rotate(SessionData old, String user) {
    // The freshest attributes, in case another call saved since `old` was read.
    SessionData latest = store.get(old.id()).orElse(old);
    boolean carry = old.user().equals(user) || Caller.ANONYMOUS.equals(old.user());
    // Removed first: rotating does not add a session, so it must not fail on a full node.
    end(old.id());
    return createWith(user, carry ? latest.attributes() : Map.of());
  }

  private SessionData createWith(String user, Map<String, SessionData.Attribute> attributes) {
    Instant now = clock.instant();
    var session = new SessionData(sessionId(), user, now, now, config.timeout(), token(), attributes);
    store.create(session);
    return session;
  }

  /**
   * A fresh session id that the store prefers, if one of a few random ones is (in a cluster: one
   * whose primary copy is on this node). Each candidate is drawn the same way, so the id stays
   * as unguessable as any token; at most {@value #ID_CANDIDATES} are drawn.
   */
  private String sessionId() {
    String id = token();
    for (int i = 1; i < ID_CANDIDATES && !store.prefersId(id); i++) {
      id = token();
    }
    return id;
  }

  private static final int ID_CANDIDATES = 16;

  /** 32 random bytes, base64url without padding. */
  private String token() {
    byte[] bytes = new byte[TOKEN_BYTES];
    random.nextBytes(bytes);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
  }

  /** A view of {@code data} for one call; classes of attribute values resolve with {@code loader}. */
  public LiveSession open(SessionData data, ClassLoader loader) {
    return new LiveSession(data, codec, loader, LIVE_LOG, decoded);
  }

  /** Saves what the call changed (or removes the session if the call invalidated it). */
  public SaveResult save(LiveSession session) {
    if (session.invalidated()) {
      end(session.id());
      return new SaveResult.Saved();
    }
    Instant now = clock.instant();
    SessionChange change = session.changes(now);
    if (change.updates().isEmpty()
        && session.data().lastAccessedAt().plus(touchInterval()).isAfter(now)) {
      // A call that changed nothing and follows a recent one need not record its access: it
      // would cost a (replicated) write per read-only call for at most 1% of the timeout.
      session.leaveDecoded();
      return new SaveResult.Saved();
    }
    SaveResult result = store.apply(change);
    if (result instanceof SaveResult.Saved) {
      session.leaveDecoded();
    }
    return result;
  }

  /** How stale a session's recorded last access may be: 1% of the timeout, at least 1 s. */
  private java.time.Duration touchInterval() {
    java.time.Duration onePercent = config.timeout().dividedBy(100);
    return onePercent.compareTo(java.time.Duration.ofSeconds(1)) > 0
        ? onePercent
        : java.time.Duration.ofSeconds(1);
  }

  /** Ends the session. */
  public void invalidate(String id) {
    end(id);
  }

  /** Removes session {@code id} and drops the attribute objects it left on this node. */
  private void end(String id) {
    decoded.forget(id);
    store.remove(id);
  }

  /** The number of sessions held (for metrics). */
  public int count() {
    return store.size();
  }

  /**
   * Starts removing expired sessions every {@code session.sweep-interval}.
   *
   * @throws IllegalStateException if sweeping has started already
   */
  public void startSweeping(ScheduledExecutorService scheduler) {
    long interval = config.sweepInterval().toNanos();
    ScheduledFuture<?> task =
        scheduler.scheduleWithFixedDelay(this::sweep, interval, interval, TimeUnit.NANOSECONDS);
    if (!sweeping.compareAndSet(null, task)) {
      task.cancel(false);
      throw new IllegalStateException("sessions are being swept already");
    }
  }

  private void sweep() {
    try {
      int removed = store.sweep(clock.instant());
      LOG.debug("Swept {} expired sessions", removed);
    } catch (RuntimeException e) {
      // Never let the schedule die: the next sweep may succeed.
      LOG.warn(
          "COH.0300.0002W Removing expired sessions failed; trying again in {}",
          config.sweepInterval(),
          e);
    }
  }

  @Override
  public void close() {
    ScheduledFuture<?> task = sweeping.getAndSet(null);
    if (task != null) {
      task.cancel(false);
    }
    store.close();
  }
}
