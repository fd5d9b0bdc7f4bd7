package dev.cohort.server.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.cohort.server.testing.TestGrids;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.infinispan.AdvancedCache;
import org.infinispan.notifications.Listener;
import org.infinispan.notifications.cachelistener.annotation.CacheEntryCreated;
import org.infinispan.notifications.cachelistener.event.CacheEntryCreatedEvent;
import org.jgroups.Message;
import org.jgroups.protocols.pbcast.GMS;
import org.jgroups.stack.Protocol;
import org.jgroups.stack.ProtocolStack;
import org.jgroups.util.MessageBatch;
import org.junit.jupiter.api.Test;

/**
 * A member passes what it receives up the stack on the connection's own receiver thread, with no
 * hand-off to a thread pool: a session write's backup copy and its acknowledgement each cost one
 * thread switch fewer (docs/benchmarks.md, stateful throughput), and a backup copy is applied by that
 * receiver too ({@link InlineOnReceivers}) instead of a new thread. Membership messages are the
 * exception ({@link DirectDelivery}): the coordinator waits on the thread that delivers a join
 * for the new view's acknowledgements, one of which comes over the joining member's connection.
 */
class ReceiveThreadTest {

  @Test
  void cacheWritesFromAnotherMemberArePassedUpByTheThreadThatReadThem() throws Exception {
    List<Integer> ports = TestGrids.transportPorts(2);
    try (Grid a = TestGrids.grid("a", TestGrids.statefulSettings(ports.get(0), ports));
        Grid b = TestGrids.grid("b", TestGrids.statefulSettings(ports.get(1), ports))) {
      await().atMost(Duration.ofSeconds(30)).until(() -> a.members().size() == 2 && b.members().size() == 2);
      RecordThreads threads = new RecordThreads();
      b.jgroupsChannel().getProtocolStack().insertProtocol(threads, ProtocolStack.Position.ABOVE, Seal.class);
      AdvancedCache<String, String> onA = a.cache("receive-thread-test", Grid.Copies.EVERYWHERE, null);
      AdvancedCache<String, String> onB = b.cache("receive-thread-test", Grid.Copies.EVERYWHERE, null);

      for (int i = 0; i < 20; i++) {
        onA.put("k" + i, "v" + i);
      }

      assertThat(onB.get("k19")).isEqualTo("v19");
      assertThat(threads.names).isNotEmpty();
      assertThat(threads.names).allMatch(name -> name.startsWith("Connection.Receiver"), "a receiver thread");
    }
  }

  @Test
  void aBackupCopyIsAppliedByTheReceiverThatReadIt() throws Exception {
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

      assertThat(threads.names).isNotEmpty();
      assertThat(threads.names).allMatch(name -> name.startsWith("Connection.Receiver"), "a receiver thread");
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
    final Set<String> names = ConcurrentHashMap.newKeySet();

    @CacheEntryCreated
    public void created(CacheEntryCreatedEvent<String, String> event) {
      if (!event.isOriginLocal()) {
        names.add(Thread.currentThread().getName());
      }
    }
  }

  /** Notes which threads pass received messages up. */
  private static final class RecordThreads extends Protocol {
    final Set<String> names = ConcurrentHashMap.newKeySet();

    @Override
    public Object up(Message msg) {
      names.add(Thread.currentThread().getName());
      return up_prot.up(msg);
    }

    @Override
    public void up(MessageBatch batch) {
      names.add(Thread.currentThread().getName());
      up_prot.up(batch);
    }
  }
}
