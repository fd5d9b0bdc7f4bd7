package dev.cohort.server.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.cohort.server.testing.TestGrids;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.infinispan.AdvancedCache;
import org.jgroups.protocols.pbcast.GMS;
import org.junit.jupiter.api.Test;

/**
 * A join never stops the coordinator reading the joining member's connection. The coordinator
 * handles a join on the thread that delivers it and waits there for every member to acknowledge
 * the new view; the joiner's acknowledgement comes over the joiner's own connection. Receivers
 * deliver cache traffic themselves ({@link DirectDelivery}) but give membership messages to the
 * thread pool ({@link ReceiverHandoff}); without that hand-off the coordinator's receiver for the
 * joiner waited out the acknowledgement timeout, the joiner was suspected and the cluster split
 * (docs/benchmarks.md).
 */
class JoinTest {

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
}
