package dev.cohort.server.session;

import java.util.Optional;
import java.util.Set;

/**
 * Where application-wide attributes live, per package: node memory, or a cache replicated to every
 * member of a stateful cluster. Values are serialized bytes.
 */
public interface AppAttributeStore {

  Optional<byte[]> get(String pkg, String name);

  void put(String pkg, String name, byte[] value);

  void remove(String pkg, String name);

  Set<String> names(String pkg);

  /** In this node's memory (standalone node, stateless cluster). */
  static AppAttributeStore local() {
    java.util.concurrent.ConcurrentHashMap<String, byte[]> map = new java.util.concurrent.ConcurrentHashMap<>();
    return new AppAttributeStore() {
      @Override
      public Optional<byte[]> get(String pkg, String name) {
        return Optional.ofNullable(map.get(key(pkg, name)));
      }

      @Override
      public void put(String pkg, String name, byte[] value) {
        map.put(key(pkg, name), value);
      }

      @Override
      public void remove(String pkg, String name) {
        map.remove(key(pkg, name));
      }

      @Override
      public Set<String> names(String pkg) {
        return namesIn(map.keySet(), pkg);
      }
    };
  }

  /** The cache key of {@code name} in {@code pkg}. */
  static String key(String pkg, String name) {
    return pkg + '\n' + name;
  }

  /** The attribute names of {@code pkg} among {@code keys}. */
  static Set<String> namesIn(java.util.Collection<String> keys, String pkg) {
    String prefix = pkg + '\n';
    return keys.stream()
        .filter(k -> k.startsWith(prefix))
        .map(k -> k.substring(prefix.length()))
        .collect(java.util.stream.Collectors.toUnmodifiableSet());
  }
}
