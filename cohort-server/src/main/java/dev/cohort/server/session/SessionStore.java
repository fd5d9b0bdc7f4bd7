package dev.cohort.server.session;

import java.time.Instant;
import java.util.Optional;

/**
 * Where sessions live: node memory now, a distributed cache in a stateful cluster. Every
 * implementation passes the same contract test suite.
 */
public interface SessionStore extends AutoCloseable {

  /** The session with {@code id}, if present (expired or not: the caller decides). */
  Optional<SessionData> get(String id);

  /**
   * Adds a new session.
   *
   * @throws SessionsFullException when the store holds its maximum number of sessions
   */
  void create(SessionData session);

  /**
   * Whether a new session would best get {@code id}: a distributed store prefers ids whose
   * primary copy lives on this node, so that the calls a load balancer keeps on this node write
   * locally first. Only a preference: any id works.
   */
  default boolean prefersId(String id) {
    return true;
  }

  /** Applies {@code change} atomically: every update or none. */
  SaveResult apply(SessionChange change);

  /** Removes the session; nothing happens if it is absent. */
  void remove(String id);

  /** Removes every session expired at {@code now}; returns how many. */
  int sweep(Instant now);

  /** The number of sessions held. */
  int size();

  @Override
  void close();
}
