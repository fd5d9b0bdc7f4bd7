package dev.cohort.server.session;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InvalidClassException;
import java.io.NotSerializableException;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.io.ObjectStreamClass;
import java.util.Map;
import java.util.Objects;
import java.util.function.Predicate;

/**
 * Turns session attribute values into bytes and back. Decoding goes through an {@link
 * java.io.ObjectInputFilter} allow-list: JDK value types plus classes that {@code packageClass}
 * accepts (classes of deployed packages), so a poisoned stored value cannot run a gadget chain.
 */
public final class AttributeCodec {

  private static final int INITIAL_BUFFER = 512;

  private final Predicate<Class<?>> packageClass;

  /** @param packageClass accepts classes that belong to deployed packages */
  public AttributeCodec(Predicate<Class<?>> packageClass) {
    this.packageClass = Objects.requireNonNull(packageClass, "packageClass");
  }

  /**
   * Serializes {@code value} (the whole object graph).
   *
   * @throws NotSerializableException if something in the graph is not serializable; the message
   *     names the offending class
   */
  public byte[] encode(Object value) throws NotSerializableException {
    // Sized for a typical small attribute (a cart of a few items is about 250 bytes), so the
    // buffer rarely grows; the default 32 bytes doubled three or four times per value.
    var bytes = new ByteArrayOutputStream(INITIAL_BUFFER);
    try (var out = new ObjectOutputStream(bytes)) {
      out.writeObject(value);
    } catch (NotSerializableException e) {
      throw e; // its message is the offending class's name
    } catch (IOException e) {
      // A writeObject method of some class in the graph refused; the value cannot travel either.
      var refused =
          new NotSerializableException(
              value.getClass().getName() + " (its serialization failed: " + e + ")");
      refused.initCause(e);
      throw refused;
    }
    return bytes.toByteArray();
  }

  /**
   * Deserializes {@code bytes}, resolving classes with {@code loader}.
   *
   * @throws AttributeDecodingException if the bytes are corrupt, a class is missing, or the
   *     filter rejects a class (the message names it)
   */
  public Object decode(byte[] bytes, ClassLoader loader) {
    var filter = new AttributeFilter(packageClass, bytes.length);
    try (var in = new FilteredInput(new ByteArrayInputStream(bytes), loader, filter)) {
      return in.readObject();
    } catch (ClassNotFoundException | IOException | RuntimeException e) {
      throw failure(e, filter);
    }
  }

  private static AttributeDecodingException failure(Exception e, AttributeFilter filter) {
    if (filter.rejection() != null) {
      return new AttributeDecodingException(
          "refused to decode a session attribute: " + filter.rejection(), e);
    }
    if (e instanceof ClassNotFoundException) {
      return new AttributeDecodingException(
          "cannot decode a session attribute: class "
              + e.getMessage()
              + " is not available to the service's package (was the package changed or"
              + " undeployed since the value was stored?)",
          e);
    }
    if (e instanceof InvalidClassException invalid) {
      return new AttributeDecodingException(
          "cannot decode a session attribute: a class changed incompatibly since the value was"
              + " stored ("
              + invalid.getMessage()
              + ")",
          e);
    }
    return new AttributeDecodingException(
        "cannot decode a session attribute: its bytes are corrupt (" + e + ")", e);
  }

  /** Serialized bytes of a value that is certainly serializable (a class name, say). */
  byte[] encodeSerializable(String value) {
    try {
      return encode(value);
    } catch (NotSerializableException e) {
      throw new IllegalStateException("a String failed to serialize", e);
    }
  }

  /** Resolves classes with one class loader and refuses dynamic proxies. */
  private static final class FilteredInput extends ObjectInputStream {

    private static final Map<String, Class<?>> PRIMITIVES =
        Map.of(
            "boolean", boolean.class,
            "byte", byte.class,
            "char", char.class,
            "short", short.class,
            "int", int.class,
            "long", long.class,
            "float", float.class,
            "double", double.class,
            "void", void.class);

    private final ClassLoader loader;
    private final AttributeFilter filter;

    FilteredInput(InputStream in, ClassLoader loader, AttributeFilter filter) throws IOException {
      super(in);
      this.loader = loader;
      this.filter = filter;
      setObjectInputFilter(filter);
    }

    @Override
    protected Class<?> resolveClass(ObjectStreamClass desc) throws ClassNotFoundException {
      String name = desc.getName();
      try {
        return Class.forName(name, false, loader);
      } catch (ClassNotFoundException e) {
        Class<?> primitive = PRIMITIVES.get(name);
        if (primitive != null) {
          return primitive;
        }
        throw e;
      }
    }

    @Override
    protected Class<?> resolveProxyClass(String[] interfaces) throws InvalidClassException {
      filter.rejectOutright(
          "it contains a dynamic proxy (for " + String.join(", ", interfaces) + ")");
      throw new InvalidClassException("dynamic proxies are not allowed in session attributes");
    }
  }
}
