package dev.cohort.server.session;

import dev.cohort.api.Session;
import java.time.Instant;
import java.util.Optional;
import java.util.Set;

/**
 * One call's view of a session. Values are decoded lazily on first {@code get}; {@code put}
 * serializes at once (a non-serializable value is replaced by its class name and logged as
 * {@code COH.0300.0001W}). {@link #changes} re-serializes what the call touched, so in-place
 * mutation of an attribute object is detected and saved.
 */
public final class LiveSession implements Session {

  LiveSession() {
    throw new UnsupportedOperationException("TODO");
  }

  /** The stored state this view started from. */
  public SessionData data() {
    throw new UnsupportedOperationException("TODO");
  }

  /** Whether the service called {@link #invalidate()}. */
  public boolean invalidated() {
    throw new UnsupportedOperationException("TODO");
  }

  /**
   * What this call changed, as of {@code now}; an empty update map when nothing changed (the
   * change still records the access time).
   */
  public SessionChange changes(Instant now) {
    throw new UnsupportedOperationException("TODO");
  }

  @Override
  public String id() {
    throw new UnsupportedOperationException("TODO");
  }

  @Override
  public String user() {
    throw new UnsupportedOperationException("TODO");
  }

  @Override
  public Optional<Object> get(String name) {
    throw new UnsupportedOperationException("TODO");
  }

  @Override
  public <T> Optional<T> get(String name, Class<T> type) {
    throw new UnsupportedOperationException("TODO");
  }

  @Override
  public void put(String name, Object value) {
    throw new UnsupportedOperationException("TODO");
  }

  @Override
  public void remove(String name) {
    throw new UnsupportedOperationException("TODO");
  }

  @Override
  public Set<String> names() {
    throw new UnsupportedOperationException("TODO");
  }

  @Override
  public Instant createdAt() {
    throw new UnsupportedOperationException("TODO");
  }

  @Override
  public void invalidate() {
    throw new UnsupportedOperationException("TODO");
  }
}
