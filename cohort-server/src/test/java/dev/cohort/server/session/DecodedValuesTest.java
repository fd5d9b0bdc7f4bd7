package dev.cohort.server.session;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cohort.server.config.SessionConfig;
import dev.cohort.server.testing.MutableClock;
import java.net.URL;
import java.net.URLClassLoader;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A session call's attribute objects serve the session's next call on this node when they are
 * exactly what decoding the stored bytes would give; otherwise the next call decodes.
 */
class DecodedValuesTest {

  private static final Instant T0 = Instant.parse("2030-01-01T00:00:00Z");
  private static final ClassLoader LOADER = DecodedValuesTest.class.getClassLoader();

  private final MutableClock clock = new MutableClock(T0);
  private final AttributeCodec codec = new AttributeCodec(type -> false);
  private final InMemorySessionStore store = new InMemorySessionStore(100);
  private final Sessions sessions =
      new Sessions(
          store,
          new SessionConfig(Duration.ofMinutes(30), Duration.ofMinutes(1), false, 100),
          codec,
          clock);

  @AfterEach
  void stop() {
    sessions.close();
  }

  @Test
  void theNextCallGetsTheObjectTheLastSavedCallLeft() {
    String id = sessions.create("alice").id();
    ArrayList<String> cart = addItem(id, "apple");

    LiveSession next = open(id);
    Object got = next.get("cart").orElseThrow();

    assertThat(got).as("not decoded again").isSameAs(cart).isEqualTo(List.of("apple"));
    assertThat(next.changes(clock.instant()).updates()).as("nothing changed").isEmpty();
  }

  @Test
  void anObjectChangedAfterItsCallEndedIsDecodedAfresh() {
    String id = sessions.create("alice").id();
    ArrayList<String> cart = addItem(id, "apple");
    cart.add("kept a reference and changed it later");

    Object got = open(id).get("cart").orElseThrow();

    assertThat(got).isNotSameAs(cart).isEqualTo(List.of("apple"));
  }

  @Test
  void twoCallsOnTheSameSessionNeverShareAnObject() {
    String id = sessions.create("alice").id();
    ArrayList<String> cart = addItem(id, "apple");

    Object first = open(id).get("cart").orElseThrow();
    Object second = open(id).get("cart").orElseThrow();

    assertThat(first).isSameAs(cart);
    assertThat(second).isNotSameAs(first).isEqualTo(first);
  }

  @Test
  void aCallWhoseChangeWasNotSavedLeavesNothing() {
    String id = sessions.create("alice").id();
    addItem(id, "apple");
    LiveSession conflicting = open(id);
    LiveSession winner = open(id);
    @SuppressWarnings("unchecked")
    List<String> lost = (List<String>) conflicting.get("cart").orElseThrow();
    @SuppressWarnings("unchecked")
    List<String> won = (List<String>) winner.get("cart").orElseThrow();
    won.add("pear");
    assertThat(sessions.save(winner)).isInstanceOf(SaveResult.Saved.class);
    lost.add("plum");

    assertThat(sessions.save(conflicting)).isInstanceOf(SaveResult.Conflict.class);

    Object got = open(id).get("cart").orElseThrow();
    assertThat(got).isSameAs(won).isNotSameAs(lost).isEqualTo(List.of("apple", "pear"));
  }

  @Test
  void aCallWithAnotherClassLoaderDecodesAfresh() throws Exception {
    String id = sessions.create("alice").id();
    ArrayList<String> cart = addItem(id, "apple");

    try (URLClassLoader other = new URLClassLoader(new URL[0], LOADER)) {
      Object got = sessions.open(sessions.find(id).orElseThrow(), other).get("cart").orElseThrow();

      assertThat(got).isNotSameAs(cart).isEqualTo(cart);
    }
  }

  @Test
  void anObjectHeldUnderTwoNamesIsNotLeft() {
    String id = sessions.create("alice").id();
    LiveSession call = open(id);
    ArrayList<String> shared = new ArrayList<>(List.of("apple"));
    call.put("a", shared);
    call.put("b", shared);
    assertThat(sessions.save(call)).isInstanceOf(SaveResult.Saved.class);

    LiveSession next = open(id);
    Object a = next.get("a").orElseThrow();
    Object b = next.get("b").orElseThrow();

    assertThat(a).isNotSameAs(shared).isNotSameAs(b).isEqualTo(shared);
    assertThat(b).isNotSameAs(shared).isEqualTo(shared);
  }

  @Test
  void anEndedSessionsObjectsGo() {
    DecodedValues values = new DecodedValues(10, codec);
    byte[] bytes = encode("x");
    values.leave("s1", "a", bytes, "x", LOADER);
    values.leave("s1", "b", bytes, "x", LOADER);
    values.leave("s2", "a", bytes, "x", LOADER);

    values.forget("s1");

    assertThat(values.sessions()).isEqualTo(1);
    assertThat(values.take("s1", "a", bytes, LOADER)).isNull();
    assertThat(values.take("s2", "a", bytes, LOADER)).isEqualTo("x");
  }

  @Test
  void theSetIsBounded() {
    DecodedValues values = new DecodedValues(3, codec);
    byte[] bytes = encode("x");
    for (int i = 0; i < 10; i++) {
      values.leave("s" + i, "a", bytes, "x", LOADER);
      values.leave("s" + i, "b", bytes, "x", LOADER);
      assertThat(values.sessions()).isLessThanOrEqualTo(3);
    }
    assertThat(values.take("s9", "a", bytes, LOADER)).isEqualTo("x");
    assertThat(values.take("s9", "b", bytes, LOADER)).isEqualTo("x");
    assertThat(values.take("s9", "a", bytes, LOADER)).as("taken once").isNull();
  }

  private ArrayList<String> addItem(String id, String item) {
    LiveSession call = open(id);
    @SuppressWarnings("unchecked")
    ArrayList<String> cart =
        (ArrayList<String>) call.get("cart").orElseGet(ArrayList::new);
    cart.add(item);
    call.put("cart", cart);
    assertThat(sessions.save(call)).isInstanceOf(SaveResult.Saved.class);
    return cart;
  }

  private LiveSession open(String id) {
    return sessions.open(sessions.find(id).orElseThrow(), LOADER);
  }

  private byte[] encode(Object value) {
    try {
      return codec.encode(value);
    } catch (java.io.NotSerializableException e) {
      throw new AssertionError(e);
    }
  }
}
