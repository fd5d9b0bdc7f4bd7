package dev.cohort.api;

import java.time.Instant;
import java.util.Optional;
import java.util.Set;

/**
 * A conversation's state, kept between calls of the same client.
 *
 * <p>Values must be {@link java.io.Serializable} through their whole object graph: in a
 * stateful cluster the session is copied to other nodes. A value that is not serializable is
 * replaced by a string holding its class name, and a warning ({@code COH.0300.0001W}) is logged
 * when it is set — also on a standalone node, so that you find it in development. (An object read
 * from the session and put back is checked when the call ends instead: it was serializable when
 * stored, and the end of the call serializes it anyway.)
 *
 * <p>Changes, including changes made inside an attribute's object after {@code put}, are saved
 * when the top-level service returns.
 *
 * <p>A value read in one call may be the very object an earlier call of the same session on the
 * same node saved, instead of a fresh copy from its serialized form: this happens only when the
 * object still serializes to what was stored (no one changed it after that call ended), and two
 * calls running at once never get the same object. As in a servlet container, its {@code
 * transient} fields may then keep their values between calls on one node; on another node they
 * start out as deserialization leaves them.
 */
public interface Session {

  /** The session id (also sent to the client as a cookie and in {@code X-Cohort-Session}). */
  String id();

  /** The user the session belongs to. */
  String user();

  /** The value of attribute {@code name}, if set. */
  Optional<Object> get(String name);

  /**
   * The value of attribute {@code name}, if set and of type {@code type}.
   *
   * @throws ClassCastException if the attribute holds a value of another type
   */
  <T> Optional<T> get(String name, Class<T> type);

  /** Sets attribute {@code name}; see the class comment for what must hold of {@code value}. */
  void put(String name, Object value);

  /** Removes attribute {@code name}; nothing happens if it was not set. */
  void remove(String name);

  /** The names of the attributes set. */
  Set<String> names();

  /** When the session was created. */
  Instant createdAt();

  /** Ends the session after this call; the client's next call starts a new one. */
  void invalidate();
}
