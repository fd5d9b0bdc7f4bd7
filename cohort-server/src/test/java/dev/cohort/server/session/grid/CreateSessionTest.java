package dev.cohort.server.session.grid;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * What {@link CreateSession} writes on each copy. A backup owner that is new during a rebalance
 * reads the primary's copy from the previous owners, so it finds the session the primary has just
 * created; state transfer may have passed already, so unless it writes the session it never holds
 * it ({@code GridRebalanceTest} shows the race on a real grid).
 */
class CreateSessionTest {

  private static final StoredSession SESSION =
      new StoredSession("s1", "alice", 1, 1, 1_000_000_000L, "csrf", List.of(), 0, List.of());

  @Test
  void aNewSessionIsWritten() {
    FakeView view = new FakeView(null);

    assertThat(new CreateSession(SESSION).apply(view)).isTrue();

    assertThat(view.writes).containsExactly(SESSION);
  }

  @Test
  void thisCreationFoundAlreadyIsWrittenAgain() {
    FakeView view = new FakeView(SESSION);

    assertThat(new CreateSession(SESSION).apply(view)).isTrue();

    assertThat(view.writes).containsExactly(SESSION);
  }

  @Test
  void anotherSessionWithTheIdIsNeitherReplacedNorTakenForThisOne() {
    StoredSession other =
        new StoredSession("s1", "bob", 1, 1, 1_000_000_000L, "other", List.of(), 0, List.of());
    FakeView view = new FakeView(other);

    assertThat(new CreateSession(SESSION).apply(view)).isFalse();

    assertThat(view.writes).isEmpty();
    assertThat(view.find()).contains(other);
  }
}
