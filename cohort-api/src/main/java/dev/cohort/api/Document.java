package dev.cohort.api;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * A JSON object: an ordered map from names to values. Values are {@code null}, {@link String},
 * {@link Boolean}, {@link Number}, {@link Document} or {@link List} of such values — exactly what
 * JSON can carry, so a document always round-trips through HTTP unchanged.
 *
 * <p>Typed accessors return {@link Optional}; the {@code require*} variants throw {@link
 * InvalidInputException} with a message naming the field, which reaches the caller as a 400.
 */
public final class Document {

  private final Map<String, Object> values;

  private Document(Map<String, Object> values) {
    this.values = values;
  }

  /** An empty document. */
  public static Document create() {
    return new Document(new LinkedHashMap<>());
  }

  /** A document with one field. */
  public static Document of(String name, Object value) {
    return create().put(name, value);
  }

  /** A document with two fields. */
  public static Document of(String name1, Object value1, String name2, Object value2) {
    return create().put(name1, value1).put(name2, value2);
  }

  /**
   * A document holding a copy of {@code map}; nested maps become documents, nested collections
   * lists.
   *
   * @throws IllegalArgumentException if a value is not JSON-like
   */
  public static Document from(Map<String, ?> map) {
    Document document = create();
    map.forEach(document::put);
    return document;
  }

  /**
   * Sets field {@code name}. Maps become documents and collections lists.
   *
   * @return this document
   * @throws IllegalArgumentException if {@code value} is not JSON-like
   */
  public Document put(String name, Object value) {
    Objects.requireNonNull(name, "name");
    values.put(name, normalize(value, name));
    return this;
  }

  /** Removes field {@code name}; returns this document. */
  public Document remove(String name) {
    values.remove(name);
    return this;
  }

  /** Whether field {@code name} is present (its value may be {@code null}). */
  public boolean has(String name) {
    return values.containsKey(name);
  }

  /** The field names, in order. */
  public Set<String> names() {
    return Collections.unmodifiableSet(values.keySet());
  }

  /** The number of fields. */
  public int size() {
    return values.size();
  }

  /** The raw value of field {@code name}; empty when absent or {@code null}. */
  public Optional<Object> value(String name) {
    return Optional.ofNullable(values.get(name));
  }

  /** Field {@code name} as a string; empty when absent or null. Fails if it is not a string. */
  public Optional<String> string(String name) {
    return typed(name, String.class, "a string");
  }

  /** Field {@code name} as a string, or a 400 for the caller naming the field. */
  public String requireString(String name) {
    return string(name).orElseThrow(() -> missing(name, "a string"));
  }

  /** Field {@code name} as a whole number; fails if it is a fraction or not a number. */
  public Optional<Long> longValue(String name) {
    return typed(name, Number.class, "a number").map(n -> toLong(name, n));
  }

  /** Field {@code name} as a whole number, or a 400 for the caller naming the field. */
  public long requireLong(String name) {
    return longValue(name).orElseThrow(() -> missing(name, "a whole number"));
  }

  /** Field {@code name} as a decimal number. */
  public Optional<Double> doubleValue(String name) {
    return typed(name, Number.class, "a number").map(Number::doubleValue);
  }

  /** Field {@code name} as a boolean. */
  public Optional<Boolean> booleanValue(String name) {
    return typed(name, Boolean.class, "true or false");
  }

  /** Field {@code name} as a nested document. */
  public Optional<Document> document(String name) {
    return typed(name, Document.class, "an object");
  }

  /** Field {@code name} as an unmodifiable list; empty when absent. */
  @SuppressWarnings("unchecked")
  public List<Object> list(String name) {
    return typed(name, List.class, "a list")
        .map(l -> Collections.unmodifiableList((List<Object>) l))
        .orElse(List.of());
  }

  /** A deep, unmodifiable copy as plain maps and lists (for JSON libraries). */
  public Map<String, Object> toMap() {
    Map<String, Object> copy = new LinkedHashMap<>();
    values.forEach((k, v) -> copy.put(k, plain(v)));
    return Collections.unmodifiableMap(copy);
  }

  private <T> Optional<T> typed(String name, Class<T> type, String expected) {
    Object value = values.get(name);
    if (value == null) {
      return Optional.empty();
    }
    if (!type.isInstance(value)) {
      throw new InvalidInputException(
          "field '" + name + "' must be " + expected + ", got " + describe(value));
    }
    return Optional.of(type.cast(value));
  }

  private static InvalidInputException missing(String name, String expected) {
    return new InvalidInputException("field '" + name + "' is required and must be " + expected);
  }

  private static long toLong(String name, Number n) {
    if (n instanceof Long || n instanceof Integer || n instanceof Short || n instanceof Byte) {
      return n.longValue();
    }
    try {
      return new BigDecimal(n.toString()).longValueExact();
    } catch (ArithmeticException | NumberFormatException e) {
      throw new InvalidInputException("field '" + name + "' must be a whole number, got " + n);
    }
  }

  private static String describe(Object value) {
    return switch (value) {
      case String s -> "a string";
      case Number n -> "a number";
      case Boolean b -> "a boolean";
      case Document d -> "an object";
      case List<?> l -> "a list";
      default -> value.getClass().getSimpleName();
    };
  }

  private static Object normalize(Object value, String path) {
    return switch (value) {
      case null -> null;
      case String s -> s;
      case Boolean b -> b;
      case Integer i -> i.longValue();
      case Long l -> l;
      case Short s -> s.longValue();
      case Byte b -> b.longValue();
      case BigInteger b -> b;
      case BigDecimal b -> b;
      case Double d -> d;
      case Float f -> f.doubleValue();
      case Document d -> d;
      case Map<?, ?> m -> {
        Document nested = create();
        m.forEach((k, v) -> nested.put(String.valueOf(k), normalize(v, path + "." + k)));
        yield nested;
      }
      case Iterable<?> it -> {
        List<Object> list = new ArrayList<>();
        int i = 0;
        for (Object element : it) {
          list.add(normalize(element, path + "[" + i++ + "]"));
        }
        yield list;
      }
      case Object[] array -> normalize(java.util.Arrays.asList(array), path);
      default ->
          throw new IllegalArgumentException(
              "'"
                  + path
                  + "' holds a "
                  + value.getClass().getName()
                  + "; a document holds only strings, numbers, booleans, null, documents, maps"
                  + " and lists");
    };
  }

  private static Object plain(Object value) {
    return switch (value) {
      case Document d -> d.toMap();
      case List<?> l -> l.stream().map(Document::plain).toList();
      case null -> null;
      default -> value;
    };
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Document other && values.equals(other.values);
  }

  @Override
  public int hashCode() {
    return values.hashCode();
  }

  @Override
  public String toString() {
    return values.toString();
  }
}
