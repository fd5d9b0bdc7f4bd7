package dev.cohort.server.session;

import java.time.Instant;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Sessions in this node's memory (standalone and stateless-cluster modes).
 *
 * <p>Versions: every applied change that updates attributes gets the session's next revision
 * (one more than the highest version the session has ever issued, starting from the highest
 * attribute version it was created with), and every attribute it changes takes that revision as
 * its version. So an attribute's version only grows, and an attribute that is removed and added
 * again never gets back a version a stale call could still hold.
 */
public final class InMemorySessionStore implements SessionStore {

  private final int maxSessions;
  private final ConcurrentHashMap<String, Stored> sessions = new ConcurrentHashMap<>();

  /** Sessions held plus creations in progress; keeps concurrent creates within the maximum. */
  private final AtomicInteger slots = new AtomicInteger();

  /** @param maxSessions most sessions held ({@code session.max-sessions}) */
  public InMemorySessionStore(int maxSessions) {
    if (maxSessions < 1) {
      throw new IllegalArgumentException("maxSessions must be at least 1, not " + maxSessions);
    }
    this.maxSessions = maxSessions;
  }

  @Override
  public Optional<SessionData> get(String id) {
    return Optional.ofNullable(sessions.get(id)).map(Stored::data);
  }

  /**
   * {@inheritDoc}
   *
   * @throws IllegalStateException if a session with the same id exists
   */
  @Override
  public void create(SessionData session) {
    if (slots.incrementAndGet() > maxSessions) {
      slots.decrementAndGet();
      throw new SessionsFullException(maxSessions);
    }
    long revision =
        session.attributes().values().stream()
            .mapToLong(SessionData.Attribute::version)
            .max()
            .orElse(0);
    if (sessions.putIfAbsent(session.id(), new Stored(session, revision)) != null) {
      slots.decrementAndGet();
      throw new IllegalStateException("a session with this id exists already");
    }
  }

  @Override
  public SaveResult apply(SessionChange change) {
    SaveResult[] result = {new SaveResult.Gone()};
    sessions.computeIfPresent(
        change.id(),
        (id, stored) -> {
          result[0] = check(stored.data(), change);
          return result[0] instanceof SaveResult.Saved ? stored.with(change) : stored;
        });
    return result[0];
  }

  private static SaveResult check(SessionData data, SessionChange change) {
    Set<String> conflicts = new HashSet<>();
    change
        .updates()
        .forEach(
            (name, update) -> {
              SessionData.Attribute current = data.attributes().get(name);
              long version = current == null ? 0 : current.version();
              if (version != update.baseVersion()) {
                conflicts.add(name);
              }
            });
    return conflicts.isEmpty()
        ? new SaveResult.Saved()
        : new SaveResult.Conflict(Set.copyOf(conflicts));
  }

  @Override
  public void remove(String id) {
    if (sessions.remove(id) != null) {
      slots.decrementAndGet();
    }
  }

  @Override
  public int sweep(Instant now) {
    int removed = 0;
    for (String id : sessions.keySet()) {
      boolean[] expired = {false};
      // Decided under the entry's lock, so a session touched meanwhile by apply() survives.
      sessions.computeIfPresent(
          id,
          (key, stored) -> {
            expired[0] = stored.data().expiredAt(now);
            return expired[0] ? null : stored;
          });
      if (expired[0]) {
        slots.decrementAndGet();
        removed++;
      }
    }
    return removed;
  }

  @Override
  public int size() {
    return sessions.size();
  }

  @Override
  public void close() {}

  /**
   * A session and the highest attribute version it has issued.
   *
   * @param data the session
   * @param revision the highest attribute version issued so far (also for removed attributes)
   */
  private record Stored(SessionData data, long revision) {

    /** This session with {@code change} applied (its versions already checked). */
    Stored with(SessionChange change) {
      Instant accessed =
          change.accessedAt().isAfter(data.lastAccessedAt())
              ? change.accessedAt()
              : data.lastAccessedAt();
      long next = change.updates().isEmpty() ? revision : revision + 1;
      Map<String, SessionData.Attribute> attributes = new HashMap<>(data.attributes());
      change
          .updates()
          .forEach(
              (name, update) ->
                  update
                      .bytes()
                      .ifPresentOrElse(
                          bytes -> attributes.put(name, new SessionData.Attribute(bytes, next)),
                          () -> attributes.remove(name)));
      return new Stored(
          new SessionData(
              data.id(),
              data.user(),
              data.createdAt(),
              accessed,
              data.maxIdle(),
              data.csrfToken(),
              attributes),
          next);
    }
  }
}
