package dev.cohort.server.session;

import java.io.NotSerializableException;
import java.util.function.Predicate;

/**
 * Turns session attribute values into bytes and back. Decoding goes through an {@link
 * java.io.ObjectInputFilter} allow-list: JDK value types plus classes that {@code packageClass}
 * accepts (classes of deployed packages), so a poisoned stored value cannot run a gadget chain.
 */
public final class AttributeCodec {

  /** @param packageClass accepts classes that belong to deployed packages */
  public AttributeCodec(Predicate<Class<?>> packageClass) {
    throw new UnsupportedOperationException("TODO");
  }

  /**
   * Serializes {@code value} (the whole object graph).
   *
   * @throws NotSerializableException if something in the graph is not serializable; the message
   *     names the offending class
   */
  public byte[] encode(Object value) throws NotSerializableException {
    throw new UnsupportedOperationException("TODO");
  }

  /**
   * Deserializes {@code bytes}, resolving classes with {@code loader}.
   *
   * @throws AttributeDecodingException if the bytes are corrupt, a class is missing, or the
   *     filter rejects a class (the message names it)
   */
  public Object decode(byte[] bytes, ClassLoader loader) {
    throw new UnsupportedOperationException("TODO");
  }
}
