package dev.cohort.server.session;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.InstanceOfAssertFactories.ITERABLE;
import static org.assertj.core.api.InstanceOfAssertFactories.MAP;

import java.io.File;
import java.io.IOException;
import java.io.NotSerializableException;
import java.io.ObjectOutputStream;
import java.io.Serializable;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.net.URI;
import java.nio.ByteBuffer;
import java.time.DayOfWeek;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Date;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Hashtable;
import java.util.LinkedHashMap;
import java.util.LinkedList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import javax.management.BadAttributeValueExpException;
import javax.management.ObjectName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class AttributeCodecTest {

  private static final ClassLoader LOADER = AttributeCodecTest.class.getClassLoader();

  /** A class of a deployed package, as far as the codec is told. */
  record Cart(List<String> items, BigDecimal total) implements Serializable {}

  /** Not serializable, like a connection or a stream. */
  static final class Connection {}

  /** Serializable in name, but refuses when written. */
  static final class Refusing implements Serializable {
    private void writeObject(ObjectOutputStream out) throws IOException {
      throw new IOException("no way");
    }
  }

  /** A serializable proxy handler, the shape of several gadget chains. */
  record Handler() implements InvocationHandler, Serializable {
    @Override
    public Object invoke(Object proxy, Method method, Object[] args) {
      return null;
    }
  }

  private final AttributeCodec packageCodec = new AttributeCodec(Cart.class::equals);
  private final AttributeCodec jdkOnlyCodec = new AttributeCodec(type -> false);

  static Stream<Object> jdkValues() {
    return Stream.of(
        "text",
        42,
        42L,
        (short) 4,
        (byte) 2,
        3.5d,
        2.5f,
        true,
        'c',
        new BigDecimal("1.50"),
        BigInteger.TEN.pow(40),
        UUID.fromString("3f1c1d7e-8d3a-4a59-9c5e-2a8c3b1f7d10"),
        new Date(0),
        Locale.GERMANY,
        LocalDate.of(2030, 1, 31),
        LocalDateTime.of(2030, 1, 31, 12, 0),
        Instant.parse("2030-01-01T00:00:00Z"),
        ZonedDateTime.of(2030, 1, 1, 9, 0, 0, 0, ZoneId.of("Europe/Berlin")),
        Duration.ofMinutes(90),
        DayOfWeek.MONDAY,
        List.of(1),
        List.of(1, 2, 3),
        Set.of("a", "b", "c"),
        Map.of("k", 1),
        Map.of("a", 1, "b", 2, "c", 3),
        new ArrayList<>(List.of("a", "b")),
        new LinkedList<>(List.of("a")),
        new HashMap<>(Map.of("a", List.of(1))),
        new LinkedHashMap<>(Map.of("a", 1)),
        new TreeMap<>(Map.of("b", 2, "a", 1)),
        new TreeSet<>(Collections.reverseOrder()),
        new TreeSet<>(String.CASE_INSENSITIVE_ORDER),
        new HashSet<>(Set.of(1.5, 2.5)),
        Arrays.asList("a", "b"),
        Collections.unmodifiableList(new ArrayList<>(List.of("x"))),
        Collections.unmodifiableMap(new HashMap<>(Map.of("x", 1))),
        Collections.synchronizedMap(new HashMap<>(Map.of("x", 1))),
        Collections.synchronizedList(new ArrayList<>(List.of("x"))),
        Collections.emptyList(),
        Collections.emptyMap(),
        Collections.singletonList("x"),
        Collections.singletonMap("x", 1),
        new ConcurrentHashMap<>(Map.of("a", 1)),
        new CopyOnWriteArrayList<>(List.of("a")),
        EnumSet.of(DayOfWeek.MONDAY, DayOfWeek.FRIDAY),
        new EnumMap<>(Map.of(DayOfWeek.MONDAY, "work")),
        new int[] {1, 2, 3},
        new byte[] {1, 2},
        new String[] {"a", "b"},
        new Long[][] {{1L}, {2L, 3L}},
        int.class);
  }

  @ParameterizedTest
  @MethodSource("jdkValues")
  void jdkValueTypesRoundTrip(Object value) throws Exception {
    Object decoded = jdkOnlyCodec.decode(jdkOnlyCodec.encode(value), LOADER);

    assertThat(decoded).isEqualTo(value).hasSameClassAs(value);
  }

  @Test
  void collectionsKeepTheirOrderingAcrossARoundTrip() throws Exception {
    var reversed = new TreeSet<String>(Collections.reverseOrder());
    reversed.addAll(List.of("a", "c", "b"));
    var deque = new ArrayDeque<>(List.of(3, 1, 2));

    assertThat(jdkOnlyCodec.decode(jdkOnlyCodec.encode(reversed), LOADER))
        .asInstanceOf(ITERABLE)
        .containsExactly("c", "b", "a");
    assertThat(jdkOnlyCodec.decode(jdkOnlyCodec.encode(deque), LOADER))
        .asInstanceOf(ITERABLE)
        .containsExactly(3, 1, 2);
  }

  @Test
  void aPackageClassRoundTripsWhenThePredicateAcceptsIt() throws Exception {
    var cart = new Cart(List.of("book", "pen"), new BigDecimal("12.30"));
    var nested = Map.of("carts", List.of(cart), "sizes", new int[][] {{1}});

    assertThat(packageCodec.decode(packageCodec.encode(cart), LOADER)).isEqualTo(cart);
    assertThat(packageCodec.decode(packageCodec.encode(new Cart[] {cart}), LOADER))
        .isEqualTo(new Cart[] {cart});
    assertThat(packageCodec.decode(packageCodec.encode(nested), LOADER))
        .asInstanceOf(MAP)
        .containsEntry("carts", List.of(cart));
  }

  @Test
  void aSerializableClassThePredicateRefusesIsRejected() throws Exception {
    byte[] bytes = packageCodec.encode(new Cart(List.of("book"), BigDecimal.ONE));

    assertThatThrownBy(() -> jdkOnlyCodec.decode(bytes, LOADER))
        .isInstanceOf(AttributeDecodingException.class)
        .hasMessageContaining(Cart.class.getName())
        .hasMessageContaining("neither a JDK value type nor a class of a deployed package");
  }

  @Test
  void aRefusedClassInsideAnAllowedCollectionIsRejected() throws Exception {
    var cart = new Cart(List.of("book"), BigDecimal.ONE);
    byte[] inList = packageCodec.encode(new ArrayList<>(List.of("fine", cart)));
    byte[] inArray = packageCodec.encode(new Object[] {cart});

    assertThatThrownBy(() -> jdkOnlyCodec.decode(inList, LOADER))
        .isInstanceOf(AttributeDecodingException.class)
        .hasMessageContaining(Cart.class.getName());
    assertThatThrownBy(() -> jdkOnlyCodec.decode(inArray, LOADER))
        .isInstanceOf(AttributeDecodingException.class)
        .hasMessageContaining(Cart.class.getName());
  }

  static Stream<Object> serializableButNotAllowed() throws Exception {
    return Stream.of(
        URI.create("http://example.invalid/").toURL(), // the URLDNS gadget's entry point
        new BadAttributeValueExpException("x"), // calls toString() on its value when read
        new ObjectName("cohort:type=Test"),
        new File("/etc/passwd"),
        URI.create("urn:x"),
        new Hashtable<>(Map.of("a", 1)),
        new IllegalStateException("an exception"));
  }

  @ParameterizedTest
  @MethodSource("serializableButNotAllowed")
  void serializableJdkClassesOutsideTheAllowListAreRejected(Object value) throws Exception {
    // Even a codec that trusts every package class refuses JDK classes that are not value types.
    var trusting = new AttributeCodec(type -> !type.getName().startsWith("java"));
    byte[] bytes = trusting.encode(value);

    assertThatThrownBy(() -> trusting.decode(bytes, LOADER))
        .isInstanceOf(AttributeDecodingException.class)
        .hasMessageContaining(value.getClass().getName());
  }

  @Test
  void dynamicProxiesAreRejectedEvenWithAnAcceptedHandler() throws Exception {
    var trusting = new AttributeCodec(type -> true);
    Object proxy = Proxy.newProxyInstance(LOADER, new Class<?>[] {Runnable.class}, new Handler());
    byte[] bytes = trusting.encode(proxy);

    assertThatThrownBy(() -> trusting.decode(bytes, LOADER))
        .isInstanceOf(AttributeDecodingException.class)
        .hasMessageContaining("dynamic proxy")
        .hasMessageContaining("java.lang.Runnable");
  }

  @Test
  void encodingNamesTheClassThatIsNotSerializable() {
    var cart = new ArrayList<Object>(List.of("book", new Connection()));

    assertThatThrownBy(() -> jdkOnlyCodec.encode(cart))
        .isInstanceOf(NotSerializableException.class)
        .hasMessageContaining(Connection.class.getName());
    assertThatThrownBy(() -> jdkOnlyCodec.encode(new Object()))
        .isInstanceOf(NotSerializableException.class)
        .hasMessageContaining("java.lang.Object");
  }

  @Test
  void aValueWhoseSerializationFailsCountsAsNotSerializable() {
    assertThatThrownBy(() -> jdkOnlyCodec.encode(new Refusing()))
        .isInstanceOf(NotSerializableException.class)
        .hasMessageContaining(Refusing.class.getName())
        .hasMessageContaining("no way");
  }

  @Test
  void graphsNestedDeeperThanTheLimitAreRejected() throws Exception {
    byte[] shallow = jdkOnlyCodec.encode(nestedLists(30));
    byte[] deep = jdkOnlyCodec.encode(nestedLists(100));

    assertThat(jdkOnlyCodec.decode(shallow, LOADER)).isEqualTo(nestedLists(30));
    assertThatThrownBy(() -> jdkOnlyCodec.decode(deep, LOADER))
        .isInstanceOf(AttributeDecodingException.class)
        .hasMessageContaining("deeper than 64");
  }

  @Test
  void arraysLongerThanTheLimitAreRejectedBeforeTheyAreAllocated() throws Exception {
    byte[] bytes = jdkOnlyCodec.encode(new byte[] {7});
    // The stream ends with the array's length (4 bytes) and its one element: claim 20 million.
    ByteBuffer.wrap(bytes).putInt(bytes.length - 5, 20_000_000);

    assertThatThrownBy(() -> jdkOnlyCodec.decode(bytes, LOADER))
        .isInstanceOf(AttributeDecodingException.class)
        .hasMessageContaining("20000000 elements");
  }

  @Test
  void graphsWithMoreObjectsThanTheLimitAreRejected() throws Exception {
    var many = new ArrayList<>(IntStream.range(1_000, 101_100).boxed().toList());
    byte[] bytes = jdkOnlyCodec.encode(many);

    assertThatThrownBy(() -> jdkOnlyCodec.decode(bytes, LOADER))
        .isInstanceOf(AttributeDecodingException.class)
        .hasMessageContaining("more than 100000 objects");
  }

  @Test
  void corruptBytesAreReportedAsADecodingFailure() throws Exception {
    byte[] truncated = Arrays.copyOf(jdkOnlyCodec.encode(List.of("a", "b")), 20);

    assertThatThrownBy(() -> jdkOnlyCodec.decode(new byte[] {1, 2, 3}, LOADER))
        .isInstanceOf(AttributeDecodingException.class)
        .hasMessageContaining("corrupt");
    assertThatThrownBy(() -> jdkOnlyCodec.decode(truncated, LOADER))
        .isInstanceOf(AttributeDecodingException.class)
        .hasMessageContaining("corrupt");
  }

  @Test
  void classesResolveWithTheGivenLoaderAndAMissingOneIsNamed() throws Exception {
    byte[] bytes = packageCodec.encode(new Cart(List.of("book"), BigDecimal.ONE));
    ClassLoader withoutTheTestClasses = new ClassLoader(null) {};

    assertThatThrownBy(() -> packageCodec.decode(bytes, withoutTheTestClasses))
        .isInstanceOf(AttributeDecodingException.class)
        .hasMessageContaining(Cart.class.getName())
        .hasMessageContaining("not available");
  }

  private static List<Object> nestedLists(int depth) {
    List<Object> list = new ArrayList<>();
    for (int i = 0; i < depth; i++) {
      List<Object> outer = new ArrayList<>();
      outer.add(list);
      list = outer;
    }
    return list;
  }
}
