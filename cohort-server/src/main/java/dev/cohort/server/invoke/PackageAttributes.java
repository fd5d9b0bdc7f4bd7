package dev.cohort.server.invoke;

import dev.cohort.api.ApplicationAttributes;
import dev.cohort.server.session.AppAttributeStore;
import dev.cohort.server.session.AttributeCodec;
import java.io.NotSerializableException;
import java.util.Optional;
import java.util.Set;

/** One package's view of the application-wide attributes. */
final class PackageAttributes implements ApplicationAttributes {

  private final AppAttributeStore store;
  private final AttributeCodec codec;
  private final String pkg;
  private final ClassLoader loader;

  PackageAttributes(AppAttributeStore store, AttributeCodec codec, String pkg, ClassLoader loader) {
    this.store = store;
    this.codec = codec;
    this.pkg = pkg;
    this.loader = loader;
  }

  @Override
  public Optional<Object> get(String name) {
    return store.get(pkg, name).map(bytes -> codec.decode(bytes, loader));
  }

  @Override
  public <T> Optional<T> get(String name, Class<T> type) {
    return get(name).map(type::cast);
  }

  @Override
  public void put(String name, Object value) {
    if (value == null) {
      remove(name);
      return;
    }
    try {
      store.put(pkg, name, codec.encode(value));
    } catch (NotSerializableException e) {
      throw new IllegalArgumentException(
          "application attribute '" + name + "': a " + value.getClass().getName()
              + " is not serializable (" + e.getMessage() + ")",
          e);
    }
  }

  @Override
  public void remove(String name) {
    store.remove(pkg, name);
  }

  @Override
  public Set<String> names() {
    return store.names(pkg);
  }
}
