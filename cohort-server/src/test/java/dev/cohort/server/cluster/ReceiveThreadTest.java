package dev.cohort.server.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.cohort.server.testing.TestGrids;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.infinispan.AdvancedCache;
import org.infinispan.notifications.Listener;
import org.infinispan.notifications.cachelistener.annotation.CacheEntryCreated;
import org.infinispan.notifications.cachelistener.event.CacheEntryCreatedEvent;
import org.jgroups.protocols.pbcast.GMS;
import org.junit.jupiter.api.Test;

/**
 * How a member handles what it receives. Delivery stays on JGroups' thread pool, and a backup copy
 * of a write is applied by the thread that delivered it ({@link InlineBackupCopies}) instead of a
 * thread of its own. A join never stops the coordinator reading the joining member's connection.
 */
class ReceiveThreadTest {

  @Test
  void aBackupCopyIsAppliedByTheThreadThatDeliveredIt() throws Exception {
    List<Integer> ports = TestGrids.transportPorts(2);
    try (Grid a = TestGrids.grid("a", backup(TestGrids.statefulSettings(ports.get(0), ports)));
        Grid b = TestGrids.grid("b", backup(TestGrids.statefulSettings(ports.get(1), ports)))) {
      await().atMost(Duration.ofSeconds(30)).until(() -> a.members().size() == 2 && b.members().size() == 2);
      // Distributed, one backup: with two members, a key whose primary owner is A has B as its
      // backup owner, and B gets the write as a backup copy.
      AdvancedCache<String, String> onA = a.cache("backup-thread-test", Grid.Copies.CONFIGURED, null);
      AdvancedCache<String, String> onB = b.cache("backup-thread-test", Grid.Copies.CONFIGURED, null);
      // Both own keys before the writes (a member that joined the cache moments ago owns nothing
      // until the rebalance ends).
      await()
          .atMost(Duration.ofSeconds(30))
          .until(
              () -> {
                var topology = onA.getDistributionManager().getCacheTopology();
                return topology.getPendingCH() == null
                    && topology.getReadConsistentHash().getMembers().size() == 2
                    && onB.getDistributionManager().getCacheTopology().getTopologyId()
                        == topology.getTopologyId();
              });
      WriteThreads threads = new WriteThreads();
      onB.addListener(threads);
      int written = 0;
      for (int i = 0; written < 20; i++) {
        String key = "k" + i;
        if (onA.getDistributionManager().getCacheTopology().getDistribution(key).isPrimary()) {
          onA.put(key, "v");
          written++;
        }
      }

      assertThat(threads.delivering).isNotEmpty();
      assertThat(threads.delivering).containsOnly(true);
    }
  }

  @Test
  void aJoinDoesNotStopTheCoordinatorReadingTheJoiningMembersConnection() throws Exception {
    List<Integer> ports = TestGrids.transportPorts(2);
    try (Grid a = TestGrids.grid("a", TestGrids.statefulSettings(ports.get(0), ports))) {
      // The coordinator waits up to this long for a new view's acknowledgements; the joiner's
      // comes over the joiner's own connection. Were that connection's receiver the waiting
      // thread, it would read nothing from the joiner for a minute: no heartbeats (the joiner is
      // suspected after 1.5 s) and no cache traffic.
      GMS membership = a.jgroupsChannel().getProtocolStack().findProtocol(GMS.class);
      membership.setViewAckCollectionTimeout(60_000);
      long start = System.nanoTime();
      try (Grid b = TestGrids.grid("b", TestGrids.statefulSettings(ports.get(1), ports))) {
        AdvancedCache<String, String> onA = a.cache("join-test", Grid.Copies.EVERYWHERE, null);
        AdvancedCache<String, String> onB = b.cache("join-test", Grid.Copies.EVERYWHERE, null);
        await().atMost(Duration.ofSeconds(30)).until(() -> a.members().size() == 2 && b.members().size() == 2);

        onB.put("from-b", "v");

        assertThat(onA.get("from-b")).isEqualTo("v");
        // Well inside the minute the coordinator would otherwise spend not reading.
        assertThat(System.nanoTime() - start).isLessThan(TimeUnit.SECONDS.toNanos(30));
        // And the joiner was never suspected and dropped meanwhile: still the first two-member view.
        assertThat(a.jgroupsChannel().getView().getViewId().getId()).isEqualTo(1);
      }
    }
  }

  private static Map<String, String> backup(Map<String, String> settings) {
    Map<String, String> s = new LinkedHashMap<>(settings);
    s.put("cluster.replication", "backup");
    return s;
  }

  /** Notes which threads apply writes that came from another member. */
  @Listener(observation = Listener.Observation.POST)
  public static final class WriteThreads {
    final List<Boolean> delivering = new java.util.concurrent.CopyOnWriteArrayList<>();

    @CacheEntryCreated
    public void created(CacheEntryCreatedEvent<String, String> event) {
      if (!event.isOriginLocal()) {
        delivering.add(Delivering.delivering());
      }
    }
  }
}
