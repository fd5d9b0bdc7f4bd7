package dev.cohort.server.session;

import java.io.NotSerializableException;
import java.util.Arrays;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Attribute objects that finished calls left behind on this node, handed to the session's next
 * call here instead of decoding the stored bytes again (decoding is the dearest part of a
 * session call: about four times its encoding).
 *
 * <p>An object is handed out only when it is exactly what decoding would give: its stored bytes
 * are the ones it was left with, it encodes to them still (so nothing changed it after its call
 * ended), and the call resolves classes with the same loader. Each object goes to one call at a
 * time: {@link #take} removes it, and only a call whose change was saved leaves its objects
 * back. A concurrent call on the same session decodes its own copy, as before.
 *
 * <p>Bounded: a session's objects go when it ends on this node ({@link #forget}); when {@code
 * capacity} sessions have objects here (those ended elsewhere or expired stay until then), the
 * whole set is dropped (it is only a shortcut; a miss decodes).
 */
final class DecodedValues {

  /** Holds nothing: every {@link #take} misses. */
  static final DecodedValues NONE = new DecodedValues(0, null);

  private record Left(byte[] bytes, Object object, ClassLoader loader) {}

  private final int capacity;
  private final AttributeCodec codec;

  /** By session id, then attribute name. */
  private final ConcurrentHashMap<String, ConcurrentHashMap<String, Left>> left =
      new ConcurrentHashMap<>();

  /**
   * @param capacity most sessions whose objects are held at once
   * @param codec encodes an object to check it still matches its bytes
   */
  DecodedValues(int capacity, AttributeCodec codec) {
    this.capacity = capacity;
    this.codec = codec;
  }

  /**
   * The object a finished call left for attribute {@code name} of session {@code sessionId}, if
   * it is what decoding {@code stored} with {@code loader} would give; otherwise null.
   */
  Object take(String sessionId, String name, byte[] stored, ClassLoader loader) {
    if (capacity == 0) {
      return null;
    }
    ConcurrentHashMap<String, Left> session = left.get(sessionId);
    Left l = session == null ? null : session.remove(name);
    if (l == null || l.loader != loader || !Arrays.equals(l.bytes, stored)) {
      return null;
    }
    try {
      return Arrays.equals(codec.encode(l.object), stored) ? l.object : null;
    } catch (NotSerializableException | RuntimeException e) {
      return null;
    }
  }

  /** Leaves {@code object}, whose encoding is {@code bytes} as saved, for the session's next call. */
  void leave(String sessionId, String name, byte[] bytes, Object object, ClassLoader loader) {
    if (capacity == 0) {
      return;
    }
    if (left.size() >= capacity && !left.containsKey(sessionId)) {
      left.clear();
    }
    left.computeIfAbsent(sessionId, id -> new ConcurrentHashMap<>())
        .put(name, new Left(bytes, object, loader));
  }

  /** Drops what session {@code sessionId} left: it has ended. */
  void forget(String sessionId) {
    left.remove(sessionId);
  }

  /** Sessions whose objects are held now. */
  int sessions() {
    return left.size();
  }
}
