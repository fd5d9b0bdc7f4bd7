package dev.cohort.server.session;

import dev.cohort.server.config.SessionConfig;
import java.time.InstantSource;
import java.util.Optional;
import java.util.concurrent.ScheduledExecutorService;

/**
 * The node's sessions: finds, creates, rotates and saves them over a {@link SessionStore}, and
 * sweeps expired ones periodically.
 */
public final class Sessions implements AutoCloseable {

  public Sessions(
      SessionStore store, SessionConfig config, AttributeCodec codec, InstantSource clock) {
    throw new UnsupportedOperationException("TODO");
  }

  /** The session with {@code id} if it exists and has not expired. */
  public Optional<SessionData> find(String id) {
    throw new UnsupportedOperationException("TODO");
  }

  /**
   * Creates a session for {@code user} with a fresh unguessable id and CSRF token.
   *
   * @throws SessionsFullException at {@code session.max-sessions}
   */
  public SessionData create(String user) {
    throw new UnsupportedOperationException("TODO");
  }

  /**
   * Replaces {@code old} by a session with a new id for {@code user} (login: no fixation). The
   * attributes move along only when {@code old} belonged to the same user or to the anonymous
   * caller; {@code old} is removed.
   */
  public SessionData rotate(SessionData old, String user) {
    throw new UnsupportedOperationException("TODO");
  }

  /** A view of {@code data} for one call; classes of attribute values resolve with {@code loader}. */
  public LiveSession open(SessionData data, ClassLoader loader) {
    throw new UnsupportedOperationException("TODO");
  }

  /** Saves what the call changed (or removes the session if the call invalidated it). */
  public SaveResult save(LiveSession session) {
    throw new UnsupportedOperationException("TODO");
  }

  /** Ends the session. */
  public void invalidate(String id) {
    throw new UnsupportedOperationException("TODO");
  }

  /** The number of sessions held (for metrics). */
  public int count() {
    throw new UnsupportedOperationException("TODO");
  }

  /** Starts removing expired sessions every {@code session.sweep-interval}. */
  public void startSweeping(ScheduledExecutorService scheduler) {
    throw new UnsupportedOperationException("TODO");
  }

  @Override
  public void close() {
    throw new UnsupportedOperationException("TODO");
  }
}
