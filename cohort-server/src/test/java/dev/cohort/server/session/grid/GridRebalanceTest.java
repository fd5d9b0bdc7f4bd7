package dev.cohort.server.session.grid;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.cohort.server.cluster.Grid;
import dev.cohort.server.session.SessionData;
import dev.cohort.server.testing.TestGrids;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.infinispan.AdvancedCache;
import org.infinispan.context.Flag;
import org.infinispan.topology.CacheTopology;
import org.junit.jupiter.api.Test;

/**
 * Sessions created while a member joins the sessions cache end up on every owner. A backup owner
 * that is new during the rebalance reads the primary's copy from the previous owners; when state
 * transfer had passed already and the creation did not write what it found, that member never
 * held the session: reads there said "gone" while the other member had it.
 */
class GridRebalanceTest {

  @Test
  void sessionsCreatedDuringARebalanceAreOnEveryOwnerAfterIt() {
    List<Integer> ports = TestGrids.transportPorts(2);
    try (Grid a = TestGrids.grid("a", backup(TestGrids.statefulSettings(ports.get(0), ports)));
        Grid b = TestGrids.grid("b", backup(TestGrids.statefulSettings(ports.get(1), ports)))) {
      await().atMost(Duration.ofSeconds(30)).until(() -> a.members().size() == 2 && b.members().size() == 2);
      // The cache starts on B; A joins it, and creates sessions at once, while the rebalance runs.
      new GridSessionStore(b, 100_000);
      GridSessionStore onA = new GridSessionStore(a, 100_000);
      Instant t0 = Instant.parse("2030-01-01T00:00:00Z");
      List<String> ids = new ArrayList<>();
      for (int i = 0; i < 300; i++) {
        String id = "s" + i;
        onA.create(new SessionData(id, "alice", t0, t0, Duration.ofMinutes(30), "csrf" + i, Map.of()));
        ids.add(id);
      }
      AdvancedCache<String, StoredSession> cacheA = a.cache(GridSessionStore.CACHE, Grid.Copies.CONFIGURED, null);
      AdvancedCache<String, StoredSession> cacheB = b.cache(GridSessionStore.CACHE, Grid.Copies.CONFIGURED, null);
      await()
          .atMost(Duration.ofSeconds(30))
          .until(() -> settled(cacheA) && settled(cacheB));

      List<String> missingOnA = new ArrayList<>();
      List<String> missingOnB = new ArrayList<>();
      for (String id : ids) {
        if (cacheA.withFlags(Flag.CACHE_MODE_LOCAL).get(id) == null) {
          missingOnA.add(id);
        }
        if (cacheB.withFlags(Flag.CACHE_MODE_LOCAL).get(id) == null) {
          missingOnB.add(id);
        }
      }
      // With two members and one backup, both own every session.
      assertThat(missingOnA).isEmpty();
      assertThat(missingOnB).isEmpty();
    }
  }

  private static boolean settled(AdvancedCache<?, ?> cache) {
    var topology = cache.getDistributionManager().getCacheTopology();
    return topology.getPhase() == CacheTopology.Phase.NO_REBALANCE
        && topology.getReadConsistentHash().getMembers().size() == 2;
  }

  private static Map<String, String> backup(Map<String, String> settings) {
    Map<String, String> s = new LinkedHashMap<>(settings);
    s.put("cluster.replication", "backup");
    return s;
  }
}
