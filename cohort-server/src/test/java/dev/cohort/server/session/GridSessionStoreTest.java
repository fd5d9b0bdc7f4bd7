package dev.cohort.server.session;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.cohort.server.cluster.Grid;
import dev.cohort.server.session.grid.GridSessionStore;
import dev.cohort.server.testing.TestGrids;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The session store contract on a real two-member grid (the store under test lives on member
 * A), plus what only a distributed store must do: every copy has a change when it returns.
 */
class GridSessionStoreTest extends SessionStoreContract {

  private static Grid a;
  private static Grid b;

  @BeforeAll
  static void startGrid() {
    List<Integer> ports = TestGrids.transportPorts(2);
    a = TestGrids.grid("a", TestGrids.statefulSettings(ports.get(0), ports));
    b = TestGrids.grid("b", TestGrids.statefulSettings(ports.get(1), ports));
    new GridSessionStore(b, 1_000);
    await().atMost(Duration.ofSeconds(30)).until(() -> a.members().size() == 2);
  }

  @AfterAll
  static void stopGrid() {
    if (b != null) {
      b.close();
    }
    if (a != null) {
      a.close();
    }
  }

  @Override
  protected SessionStore newStore(int maxSessions) {
    GridSessionStore store = new GridSessionStore(a, maxSessions);
    a.cache(GridSessionStore.CACHE, Grid.Copies.CONFIGURED, null).clear();
    return store;
  }

  @Override
  protected int contendedIncrements() {
    return 100;
  }

  @Test
  void eachMemberPrefersTheIdsWhosePrimaryCopyItHolds() {
    GridSessionStore onA = new GridSessionStore(a, 100);
    GridSessionStore onB = new GridSessionStore(b, 100);
    int preferredByA = 0;
    for (int i = 0; i < 200; i++) {
      String id = "id-" + i;
      // Exactly one of the two members is the primary owner of any id.
      assertThat(onA.prefersId(id)).isNotEqualTo(onB.prefersId(id));
      if (onA.prefersId(id)) {
        preferredByA++;
      }
    }
    assertThat(preferredByA).isBetween(40, 160);
  }

  @Test
  void aSavedChangeIsOnTheOtherMemberWhenApplyReturns() {
    GridSessionStore onA = (GridSessionStore) newStore(100);
    GridSessionStore onB = new GridSessionStore(b, 100);
    Instant t0 = Instant.parse("2030-01-01T00:00:00Z");
    onA.create(new SessionData("s", "alice", t0, t0, Duration.ofMinutes(5), "c", Map.of()));
    SaveResult result =
        onA.apply(
            new SessionChange(
                "s",
                t0.plusSeconds(1),
                Map.of("cart", new SessionChange.Update(0, Optional.of("book".getBytes(UTF_8))))));

    assertThat(result).isInstanceOf(SaveResult.Saved.class);
    // No waiting: the write is synchronous on every copy.
    SessionData onOther = onB.get("s").orElseThrow();
    assertThat(new String(onOther.attributes().get("cart").bytes(), UTF_8)).isEqualTo("book");
    assertThat(onOther.lastAccessedAt()).isEqualTo(t0.plusSeconds(1));
  }
}
