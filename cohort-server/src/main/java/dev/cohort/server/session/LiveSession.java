package dev.cohort.server.session;

import dev.cohort.api.Session;
import java.io.NotSerializableException;
import java.lang.invoke.MethodType;
import java.time.Instant;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import org.slf4j.Logger;

/**
 * One call's view of a session. Values are decoded lazily on first {@code get}; {@code put}
 * serializes at once (a non-serializable value is replaced by its class name and logged as
 * {@code COH.0300.0001W}). {@link #changes} re-serializes what the call touched, so in-place
 * mutation of an attribute object is detected and saved.
 */
public final class LiveSession implements Session {

  private final SessionData data;
  private final AttributeCodec codec;
  private final ClassLoader loader;
  private final Logger log;
  private final DecodedValues decoded;

  /** The attributes this call got, put or removed. */
  private final Map<String, Held> held = new LinkedHashMap<>();

  private boolean invalidated;

  /**
   * @param data the stored state the call starts from
   * @param codec turns values into bytes and back
   * @param loader resolves the classes of attribute values (the service's package)
   * @param log where {@code COH.0300.0001W} goes
   */
  LiveSession(SessionData data, AttributeCodec codec, ClassLoader loader, Logger log) {
    this(data, codec, loader, log, DecodedValues.NONE);
  }

  /**
   * @param decoded objects earlier calls on this node left, taken instead of decoding
   */
  LiveSession(
      SessionData data,
      AttributeCodec codec,
      ClassLoader loader,
      Logger log,
      DecodedValues decoded) {
    this.data = data;
    this.codec = codec;
    this.loader = loader;
    this.log = log;
    this.decoded = decoded;
  }

  /** The stored state this view started from. */
  public SessionData data() {
    return data;
  }

  /** Whether the service called {@link #invalidate()}. */
  public synchronized boolean invalidated() {
    return invalidated;
  }

  /**
   * What this call changed, as of {@code now}; an empty update map when nothing changed (the
   * change still records the access time).
   */
  public synchronized SessionChange changes(Instant now) {
    Map<String, SessionChange.Update> updates = new HashMap<>();
    held.forEach((name, value) -> update(name, value).ifPresent(u -> updates.put(name, u)));
    return new SessionChange(data.id(), now, updates);
  }

  private Optional<SessionChange.Update> update(String name, Held value) {
    SessionData.Attribute stored = data.attributes().get(name);
    long base = stored == null ? 0 : stored.version();
    if (value.object == null) {
      return stored == null
          ? Optional.empty()
          : Optional.of(new SessionChange.Update(base, Optional.empty()));
    }
    byte[] bytes = encodeOrClassName(name, value);
    // What the attribute's stored bytes are once this change is saved, and the object encodes
    // to: the object may then serve the session's next call here (not a class name stand-in).
    value.saved = value.warned ? null : bytes;
    if (value.baseline != null && Arrays.equals(value.baseline, bytes)) {
      return Optional.empty();
    }
    if (value.onlyRead && unchangedSinceRead(stored, bytes)) {
      // Stored as they were, which this object does not encode to.
      value.saved = null;
      return Optional.empty();
    }
    return Optional.of(new SessionChange.Update(base, Optional.of(bytes)));
  }

  /**
   * Leaves the objects this call held for the session's next call on this node, once its change
   * is saved. An object held under two names is not left: decoded afresh, each name has its own.
   */
  synchronized void leaveDecoded() {
    Map<Object, Integer> names = new IdentityHashMap<>();
    held.values().forEach(v -> {
      if (v.object != null) {
        names.merge(v.object, 1, Integer::sum);
      }
    });
    held.forEach(
        (name, value) -> {
          if (value.object != null && value.saved != null && names.get(value.object) == 1) {
            decoded.leave(data.id(), name, value.saved, value.object, loader);
          }
        });
  }

  @Override
  public String id() {
    return data.id();
  }

  @Override
  public String user() {
    return data.user();
  }

  @Override
  public synchronized Optional<Object> get(String name) {
    Held value = held.get(name);
    if (value != null) {
      return Optional.ofNullable(value.object);
    }
    SessionData.Attribute stored = data.attributes().get(name);
    if (stored == null) {
      return Optional.empty();
    }
    Object object = decoded.take(data.id(), name, stored.bytes(), loader);
    if (object == null) {
      object = codec.decode(stored.bytes(), loader);
    }
    if (object == null) {
      return Optional.empty();
    }
    held.put(name, new Held(object, stored.bytes(), true));
    return Optional.of(object);
  }

  /**
   * Whether a value that was read (not put) encodes now as its stored bytes would after a fresh
   * decode. Only asked when the bytes differ from the stored ones: either the call mutated the
   * object in place, or its encoding is not canonical (a {@code HashMap} stored with a larger
   * table, say) — then a read alone must not write it back. Costs one more decode and encode,
   * only in that case.
   */
  private boolean unchangedSinceRead(SessionData.Attribute stored, byte[] now) {
    try {
      return Arrays.equals(codec.encode(codec.decode(stored.bytes(), loader)), now);
    } catch (NotSerializableException | AttributeDecodingException e) {
      return false;
    }
  }

  @Override
  public <T> Optional<T> get(String name, Class<T> type) {
    Optional<Object> value = get(name);
    if (value.isEmpty()) {
      return Optional.empty();
    }
    Class<?> boxed = type.isPrimitive() ? MethodType.methodType(type).wrap().returnType() : type;
    Object object = value.get();
    if (!boxed.isInstance(object)) {
      throw new ClassCastException(
          "session attribute '"
              + name
              + "' holds a "
              + object.getClass().getName()
              + ", not a "
              + type.getName());
    }
    @SuppressWarnings("unchecked")
    T typed = (T) object;
    return Optional.of(typed);
  }

  @Override
  public synchronized void put(String name, Object value) {
    if (value == null) {
      remove(name);
      return;
    }
    SessionData.Attribute stored = data.attributes().get(name);
    Held previous = held.get(name);
    Held put = new Held(value, stored == null ? null : stored.bytes(), false);
    // Putting back the object just read from the session (get, change, put) needs no check now:
    // it was serializable when stored, and changes() encodes it when the call ends, with the
    // same warning if the change made it unserializable. Anything else is checked at once.
    boolean readBack = previous != null && previous.onlyRead && previous.object == value;
    if (!readBack) {
      try {
        codec.encode(value);
      } catch (NotSerializableException e) {
        warnNotSerializable(name, value, e);
        put.warned = true;
      }
    }
    held.put(name, put);
  }

  @Override
  public synchronized void remove(String name) {
    held.put(name, new Held(null, null, false));
  }

  @Override
  public synchronized Set<String> names() {
    Set<String> names = new TreeSet<>(data.attributes().keySet());
    held.forEach(
        (name, value) -> {
          if (value.object == null) {
            names.remove(name);
          } else {
            names.add(name);
          }
        });
    return Collections.unmodifiableSet(names);
  }

  @Override
  public Instant createdAt() {
    return data.createdAt();
  }

  @Override
  public synchronized void invalidate() {
    invalidated = true;
  }

  /** The value's bytes now, or those of its class name if it is not serializable (any more). */
  private byte[] encodeOrClassName(String name, Held value) {
    try {
      return codec.encode(value.object);
    } catch (NotSerializableException e) {
      if (!value.warned) {
        warnNotSerializable(name, value.object, e);
        value.warned = true;
      }
      return codec.encodeSerializable(value.object.getClass().getName());
    }
  }

  private void warnNotSerializable(String name, Object value, NotSerializableException e) {
    log.warn(
        "COH.0300.0001W Session {} attribute '{}': a {} is not serializable; stored as its class"
            + " name — in a cluster its state would be lost (not serializable: {})",
        shortId(),
        name,
        value.getClass().getName(),
        e.getMessage());
  }

  /** Enough of the id to tell sessions apart in logs; the whole id is a credential. */
  private String shortId() {
    String id = data.id();
    return id.length() <= 8 ? "…" : id.substring(0, 8) + "…";
  }

  /** An attribute this call touched. */
  private static final class Held {

    /** The live object, or null if the call removed the attribute. */
    final Object object;

    /** The stored bytes to compare with when the call ends, or null if there were none. */
    final byte[] baseline;

    /** Whether the call only got this value (never put it). */
    final boolean onlyRead;

    /** Whether replacing this object by its class name has been logged already. */
    boolean warned;

    /** The bytes stored for it once this call's change is saved, if they are its encoding. */
    byte[] saved;

    Held(Object object, byte[] baseline, boolean onlyRead) {
      this.object = object;
      this.baseline = baseline;
      this.onlyRead = onlyRead;
    }
  }
}
