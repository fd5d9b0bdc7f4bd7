package dev.cohort.server.session;

import java.time.Instant;
import java.util.Optional;

/** Sessions in this node's memory (standalone and stateless-cluster modes). */
public final class InMemorySessionStore implements SessionStore {

  /** @param maxSessions most sessions held ({@code session.max-sessions}) */
  public InMemorySessionStore(int maxSessions) {
    throw new UnsupportedOperationException("TODO");
  }

  @Override
  public Optional<SessionData> get(String id) {
    throw new UnsupportedOperationException("TODO");
  }

  @Override
  public void create(SessionData session) {
    throw new UnsupportedOperationException("TODO");
  }

  @Override
  public SaveResult apply(SessionChange change) {
    throw new UnsupportedOperationException("TODO");
  }

  @Override
  public void remove(String id) {
    throw new UnsupportedOperationException("TODO");
  }

  @Override
  public int sweep(Instant now) {
    throw new UnsupportedOperationException("TODO");
  }

  @Override
  public int size() {
    throw new UnsupportedOperationException("TODO");
  }

  @Override
  public void close() {}
}
