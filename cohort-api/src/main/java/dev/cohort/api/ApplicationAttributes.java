package dev.cohort.api;

import java.util.Optional;
import java.util.Set;

/**
 * Values shared by every service of one package, on every node (tc Server's replicated context
 * attributes). In a stateful cluster a {@link #put} returns once every node holds the value; in a
 * stateless cluster and on a standalone node the values live in this node's memory. Values must be
 * {@link java.io.Serializable}; they are copied, so change a value by putting it again. Lost when
 * the whole cluster stops.
 */
public interface ApplicationAttributes {

  /** The value of {@code name}, if set. */
  Optional<Object> get(String name);

  /**
   * The value of {@code name}, if set and an instance of {@code type}.
   *
   * @throws ClassCastException if it is set to something else
   */
  <T> Optional<T> get(String name, Class<T> type);

  /**
   * Sets {@code name} to {@code value} for the whole package.
   *
   * @throws IllegalArgumentException if {@code value} is not serializable
   */
  void put(String name, Object value);

  /** Removes {@code name}; nothing happens if it is not set. */
  void remove(String name);

  /** The names set now. */
  Set<String> names();
}
