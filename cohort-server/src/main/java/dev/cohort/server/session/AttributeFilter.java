package dev.cohort.server.session;

import java.util.List;
import java.util.Set;
import java.util.function.Predicate;

/**
 * The {@link java.io.ObjectInputFilter} of one decode: JDK value types plus the classes {@code
 * packageClass} accepts, within size limits. Everything else is rejected, and the first rejection
 * is remembered so the caller can say which class (or limit) it was — the JDK's own exception
 * only says "filter status: REJECTED".
 *
 * <p>JDK classes are matched by name, which is safe: only the boot and platform class loaders
 * may define classes in {@code java.*} packages.
 */
final class AttributeFilter implements java.io.ObjectInputFilter {

  static final int MAX_DEPTH = 64;
  static final long MAX_REFERENCES = 100_000;
  static final long MAX_ARRAY_LENGTH = 10_000_000;

  /** JDK classes whose deserialization only rebuilds a value. */
  private static final Set<String> JDK_VALUE_TYPES =
      Set.of(
          // Seen only as array components: Object[] fields, and the tables that HashMap,
          // HashSet and ArrayList check with the filter before allocating them.
          "java.lang.Object",
          "java.util.Map$Entry",
          "java.lang.Boolean",
          "java.lang.Byte",
          "java.lang.Character",
          "java.lang.Short",
          "java.lang.Integer",
          "java.lang.Long",
          "java.lang.Float",
          "java.lang.Double",
          "java.lang.Number",
          "java.lang.String",
          "java.lang.Enum",
          "java.lang.String$CaseInsensitiveComparator",
          "java.math.BigDecimal",
          "java.math.BigInteger",
          "java.util.UUID",
          "java.util.Date",
          "java.util.Locale",
          "java.util.Currency",
          "java.util.BitSet",
          "java.util.ArrayList",
          "java.util.LinkedList",
          "java.util.ArrayDeque",
          "java.util.Vector",
          "java.util.PriorityQueue",
          "java.util.HashMap",
          "java.util.LinkedHashMap",
          "java.util.TreeMap",
          "java.util.EnumMap",
          "java.util.HashSet",
          "java.util.LinkedHashSet",
          "java.util.TreeSet",
          "java.util.EnumSet",
          "java.util.EnumSet$SerializationProxy",
          "java.util.RegularEnumSet",
          "java.util.JumboEnumSet",
          "java.util.Arrays$ArrayList",
          "java.util.CollSer",
          "java.util.Collections$ReverseComparator",
          "java.util.Collections$ReverseComparator2",
          "java.util.concurrent.ConcurrentHashMap",
          // ConcurrentHashMap writes Segment[] (a ReentrantLock) for compatibility.
          "java.util.concurrent.ConcurrentHashMap$Segment",
          "java.util.concurrent.locks.ReentrantLock",
          "java.util.concurrent.locks.ReentrantLock$Sync",
          "java.util.concurrent.locks.ReentrantLock$NonfairSync",
          "java.util.concurrent.locks.AbstractQueuedSynchronizer",
          "java.util.concurrent.locks.AbstractOwnableSynchronizer",
          "java.util.concurrent.ConcurrentSkipListMap",
          "java.util.concurrent.ConcurrentSkipListSet",
          "java.util.concurrent.ConcurrentLinkedQueue",
          "java.util.concurrent.ConcurrentLinkedDeque",
          "java.util.concurrent.CopyOnWriteArrayList",
          "java.util.concurrent.CopyOnWriteArraySet",
          "java.util.concurrent.atomic.AtomicInteger",
          "java.util.concurrent.atomic.AtomicLong",
          "java.util.concurrent.atomic.AtomicBoolean");

  /** Families of JDK classes allowed by name prefix. */
  private static final List<String> JDK_VALUE_PREFIXES =
      List.of(
          "java.time.",
          "java.util.ImmutableCollections$",
          "java.util.Collections$Unmodifiable",
          "java.util.Collections$Synchronized",
          "java.util.Collections$Empty",
          "java.util.Collections$Singleton");

  private final Predicate<Class<?>> packageClass;
  private final long maxBytes;
  private String rejection;

  /**
   * @param packageClass accepts classes of deployed packages
   * @param maxBytes the size of the input
   */
  AttributeFilter(Predicate<Class<?>> packageClass, long maxBytes) {
    this.packageClass = packageClass;
    this.maxBytes = maxBytes;
  }

  @Override
  public Status checkInput(FilterInfo info) {
    if (info.depth() > MAX_DEPTH) {
      return reject("its object graph is nested deeper than " + MAX_DEPTH + " levels");
    }
    if (info.references() > MAX_REFERENCES) {
      return reject("it holds more than " + MAX_REFERENCES + " objects");
    }
    if (info.arrayLength() > MAX_ARRAY_LENGTH) {
      return reject(
          "it holds an array of "
              + info.arrayLength()
              + " elements (at most "
              + MAX_ARRAY_LENGTH
              + ")");
    }
    if (info.streamBytes() > maxBytes) {
      return reject("it reads past its own " + maxBytes + " bytes");
    }
    Class<?> type = info.serialClass();
    if (type == null || allowed(type)) {
      return Status.ALLOWED;
    }
    return reject(
        "it contains class "
            + type.getName()
            + ", which is neither a JDK value type nor a class of a deployed package");
  }

  /** Why the stream was rejected, or null if it was not. */
  String rejection() {
    return rejection;
  }

  /** Records a rejection that happens outside {@link #checkInput} (dynamic proxies). */
  void rejectOutright(String reason) {
    reject(reason);
  }

  private boolean allowed(Class<?> type) {
    Class<?> component = type;
    while (component.isArray()) {
      component = component.getComponentType();
    }
    return component.isPrimitive()
        || jdkValueType(component.getName())
        || packageClass.test(component);
  }

  private static boolean jdkValueType(String name) {
    if (JDK_VALUE_TYPES.contains(name)) {
      return true;
    }
    for (String prefix : JDK_VALUE_PREFIXES) {
      if (name.startsWith(prefix)) {
        return true;
      }
    }
    return false;
  }

  private Status reject(String reason) {
    if (rejection == null) {
      rejection = reason;
    }
    return Status.REJECTED;
  }
}
