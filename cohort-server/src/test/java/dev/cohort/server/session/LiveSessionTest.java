package dev.cohort.server.session;

import dev.cohort.server.testing.LogCapture;
import dev.cohort.server.testing.MutableClock;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.NotSerializableException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

class LiveSessionTest {

  private static final String ID = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFG";
  private static final Instant T0 = Instant.parse("2030-01-01T00:00:00Z");
  private static final long STORED_VERSION = 7;
  private static final ClassLoader LOADER = LiveSessionTest.class.getClassLoader();

  /** Not serializable, like a connection or a stream. */
  static final class Connection {}

  private final AttributeCodec codec = new AttributeCodec(type -> false);
  private final LogCapture log = new LogCapture();

  @AfterEach
  void stopCapturing() {
    log.close();
  }

  @Test
  void knowsWhoseSessionItIs() {
    LiveSession session = open(Map.of());

    assertThat(session.id()).isEqualTo(ID);
    assertThat(session.user()).isEqualTo("alice");
    assertThat(session.createdAt()).isEqualTo(T0);
  }

  @Test
  void getDecodesAStoredValueOnceAndKeepsTheObject() {
    LiveSession session = open(Map.of("cart", new ArrayList<>(List.of("book"))));

    Object first = session.get("cart").orElseThrow();

    assertThat(first).isEqualTo(List.of("book"));
    assertThat(session.get("cart").orElseThrow()).isSameAs(first);
    assertThat(session.get("missing")).isEmpty();
  }

  @Test
  void typedGetReturnsMatchingValuesAndNamesBothTypesOtherwise() {
    LiveSession session = open(Map.of("count", 42, "name", "Ada"));

    assertThat(session.get("count", Integer.class)).contains(42);
    assertThat(session.get("count", int.class)).contains(42);
    assertThat(session.get("missing", String.class)).isEmpty();
    assertThatThrownBy(() -> session.get("name", Integer.class))
        .isInstanceOf(ClassCastException.class)
        .hasMessageContaining("'name'")
        .hasMessageContaining("java.lang.String")
        .hasMessageContaining("java.lang.Integer");
  }

  @Test
  void attributesOnlyReadProduceNoUpdate() throws Exception {
    // A HashMap stored with a large table re-encodes differently after a round trip.
    var roomy = new HashMap<String, Integer>(1024);
    roomy.put("a", 1);
    byte[] roomyBytes = codec.encode(roomy);
    assertThat(codec.encode(codec.decode(roomyBytes, LOADER))).isNotEqualTo(roomyBytes);
    LiveSession session =
        open(
            Map.of(
                "list", new SessionData.Attribute(codec.encode(List.of("x")), STORED_VERSION),
                "map", new SessionData.Attribute(roomyBytes, STORED_VERSION),
                "untouched", new SessionData.Attribute(codec.encode("u"), STORED_VERSION)),
            ID);

    session.get("list");
    session.get("map");
    session.get("missing");

    SessionChange change = session.changes(T0.plusSeconds(5));
    assertThat(change.updates()).isEmpty();
    assertThat(change.id()).isEqualTo(ID);
    assertThat(change.accessedAt()).isEqualTo(T0.plusSeconds(5));
  }

  @Test
  void inPlaceMutationOfAGottenObjectIsDetected() {
    LiveSession session = open(Map.of("cart", new ArrayList<>(List.of("book")), "other", "o"));

    @SuppressWarnings("unchecked")
    List<String> cart = session.get("cart", List.class).orElseThrow();
    cart.add("pen");

    Map<String, SessionChange.Update> updates = session.changes(T0).updates();
    assertThat(updates).containsOnlyKeys("cart");
    assertThat(updates.get("cart").baseVersion()).isEqualTo(STORED_VERSION);
    assertThat(decoded(updates.get("cart"))).isEqualTo(List.of("book", "pen"));
  }

  @Test
  void putIsSavedAndMutationsAfterThePutToo() {
    LiveSession session = open(Map.of("count", 1));
    List<String> cart = new ArrayList<>(List.of("book"));

    session.put("count", 2);
    session.put("cart", cart);
    cart.add("pen");

    Map<String, SessionChange.Update> updates = session.changes(T0).updates();
    assertThat(updates.get("count").baseVersion()).isEqualTo(STORED_VERSION);
    assertThat(decoded(updates.get("count"))).isEqualTo(2);
    assertThat(updates.get("cart").baseVersion()).isZero();
    assertThat(decoded(updates.get("cart"))).isEqualTo(List.of("book", "pen"));
    assertThat(log.warnings()).isEmpty();
  }

  @Test
  void puttingTheValueThatIsStoredProducesNoUpdate() {
    LiveSession session = open(Map.of("lang", "de"));

    session.put("lang", "de");

    assertThat(session.changes(T0).updates()).isEmpty();
  }

  @Test
  void removalProducesAnUpdateWithoutBytes() {
    LiveSession session = open(Map.of("cart", "c", "lang", "de"));

    session.remove("cart");
    session.put("lang", null);
    session.remove("never-set");

    assertThat(session.get("cart")).isEmpty();
    assertThat(session.names()).isEmpty();
    Map<String, SessionChange.Update> updates = session.changes(T0).updates();
    assertThat(updates).containsOnlyKeys("cart", "lang");
    assertThat(updates.get("cart").baseVersion()).isEqualTo(STORED_VERSION);
    assertThat(updates.get("cart").bytes()).isEmpty();
    assertThat(updates.get("lang").bytes()).isEmpty();
  }

  @Test
  void namesFollowPutsAndRemovals() {
    LiveSession session = open(Map.of("a", 1, "b", 2));

    session.put("c", 3);
    session.remove("a");

    assertThat(session.names()).containsExactlyInAnyOrder("b", "c");
  }

  @Test
  void aNonSerializableValueIsStoredAsItsClassNameWithAWarning() {
    LiveSession session = open(Map.of());
    var connection = new Connection();

    session.put("conn", connection);

    assertThat(session.get("conn")).containsSame(connection);
    assertThat(log.warnings())
        .singleElement()
        .asString()
        .contains("COH.0300.0001W")
        .contains("'conn'")
        .contains(Connection.class.getName())
        .contains("is not serializable; stored as its class name")
        .contains("in a cluster its state would be lost")
        .contains(ID.substring(0, 8))
        .doesNotContain(ID.substring(0, 9));
    SessionChange.Update update = session.changes(T0).updates().get("conn");
    assertThat(decoded(update)).isEqualTo(Connection.class.getName());
    assertThat(log.warnings()).hasSize(1);
  }

  @Test
  void aValueThatBecomesNonSerializableDuringTheCallIsStoredAsItsClassName() {
    LiveSession session = open(Map.of("bag", new ArrayList<>(List.of("ok"))));

    @SuppressWarnings("unchecked")
    List<Object> bag = session.get("bag", List.class).orElseThrow();
    bag.add(new Connection());
    Map<Object, Object> put = new LinkedHashMap<>();
    session.put("put", put);
    put.put("conn", new Connection());
    assertThat(log.warnings()).isEmpty();

    Map<String, SessionChange.Update> updates = session.changes(T0).updates();

    assertThat(decoded(updates.get("bag"))).isEqualTo(ArrayList.class.getName());
    assertThat(decoded(updates.get("put"))).isEqualTo(LinkedHashMap.class.getName());
    assertThat(log.warnings())
        .hasSize(2)
        .allSatisfy(
            warning ->
                assertThat(warning)
                    .contains("COH.0300.0001W")
                    .contains(Connection.class.getName()));
  }

  @Test
  void aReadValuePutBackIsCheckedWhenTheCallEnds() {
    LiveSession session = open(Map.of("bag", new ArrayList<>(List.of("ok"))));

    @SuppressWarnings("unchecked")
    List<Object> bag = session.get("bag", List.class).orElseThrow();
    bag.add(new Connection());
    session.put("bag", bag);
    Map<String, SessionChange.Update> updates = session.changes(T0).updates();

    assertThat(decoded(updates.get("bag"))).isEqualTo(ArrayList.class.getName());
    assertThat(log.warnings()).singleElement().asString().contains("COH.0300.0001W", Connection.class.getName());
  }

  @Test
  void invalidateIsRemembered() {
    LiveSession session = open(Map.of());
    assertThat(session.invalidated()).isFalse();

    session.invalidate();

    assertThat(session.invalidated()).isTrue();
  }

  private LiveSession open(Map<String, Object> values) {
    Map<String, SessionData.Attribute> attributes = new HashMap<>();
    values.forEach(
        (name, value) ->
            attributes.put(name, new SessionData.Attribute(encode(value), STORED_VERSION)));
    return open(attributes, ID);
  }

  private LiveSession open(Map<String, SessionData.Attribute> attributes, String id) {
    var data =
        new SessionData(
            id, "alice", T0, T0, Duration.ofMinutes(30), "csrf", Map.copyOf(attributes));
    return new LiveSession(data, codec, LOADER, LoggerFactory.getLogger(LiveSession.class));
  }

  private byte[] encode(Object value) {
    try {
      return codec.encode(value);
    } catch (NotSerializableException e) {
      throw new AssertionError(e);
    }
  }

  private Object decoded(SessionChange.Update update) {
    assertThat(update).isNotNull();
    Optional<byte[]> bytes = update.bytes();
    return codec.decode(bytes.orElseThrow(), LOADER);
  }
}
