package dev.cohort.server.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.cohort.server.testing.LogCapture;
import dev.cohort.server.testing.TestGrids;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.infinispan.AdvancedCache;
import org.jgroups.EmptyMessage;
import org.jgroups.Message;
import org.jgroups.stack.Protocol;
import org.jgroups.stack.ProtocolStack;
import org.jgroups.util.MessageBatch;
import org.junit.jupiter.api.Test;

/**
 * Cache traffic is passed up by the receiver that read it ({@link DirectDelivery}), sends made
 * while doing so skip flow control ({@link ReceiverSends}), and a receiver that takes long is
 * reported with its stack. ({@link JoinTest} shows that membership messages are not delivered on
 * receivers: {@link ReceiverHandoff}.)
 */
class DirectDeliveryTest {

  /** Sits at the top of a stack and records, per cache message, the thread that delivered it. */
  private static final class Top extends Protocol {
    final Set<String> threads = ConcurrentHashMap.newKeySet();
    final AtomicBoolean probed = new AtomicBoolean();
    volatile CountDownLatch hold;
    volatile long holdMillis;

    private void seen(Message msg) {
      if (!ReceiverHandoff.cacheTraffic(msg)) {
        return;
      }
      threads.add(Thread.currentThread().getName());
      // What a continuation run by the delivering thread would do: send something.
      if (probed.compareAndSet(false, true)) {
        down_prot.down(new EmptyMessage(msg.getSrc()));
      }
      CountDownLatch h = hold;
      if (h != null) {
        hold = null;
        try {
          h.await(holdMillis, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
    }

    @Override
    public Object up(Message msg) {
      seen(msg);
      return up_prot.up(msg);
    }

    @Override
    public void up(MessageBatch batch) {
      for (Message msg : batch) {
        if (msg != null) {
          seen(msg);
        }
      }
      up_prot.up(batch);
    }
  }

  /** Sits below {@link ReceiverSends}, keeps the probes {@link Top} sends and notes their flags. */
  private static final class Catch extends Protocol {
    final Map<String, Boolean> noFlowControl = new ConcurrentHashMap<>();

    @Override
    public Object down(Message msg) {
      if (msg instanceof EmptyMessage) {
        noFlowControl.put(Thread.currentThread().getName(), msg.isFlagSet(Message.Flag.NO_FC));
        return null;
      }
      return down_prot.down(msg);
    }
  }

  /**
   * Two members of one grid with a cache on both, {@link Top} and {@link Catch} installed on
   * {@code b}; closed together.
   */
  private record Rig(Grid a, Grid b, AdvancedCache<String, String> onA, AdvancedCache<String, String> onB, Top top, Catch caught)
      implements AutoCloseable {
    static Rig start() throws Exception {
      List<Integer> ports = TestGrids.transportPorts(2);
      Grid a = TestGrids.grid("a", TestGrids.statefulSettings(ports.get(0), ports));
      Grid b = TestGrids.grid("b", TestGrids.statefulSettings(ports.get(1), ports));
      await().atMost(Duration.ofSeconds(30)).until(() -> a.members().size() == 2 && b.members().size() == 2);
      AdvancedCache<String, String> onA = a.cache("direct-delivery-test", Grid.Copies.EVERYWHERE, null);
      AdvancedCache<String, String> onB = b.cache("direct-delivery-test", Grid.Copies.EVERYWHERE, null);
      ProtocolStack stack = b.jgroupsChannel().getProtocolStack();
      Top top = new Top();
      Catch caught = new Catch();
      stack.insertProtocol(caught, ProtocolStack.Position.BELOW, ReceiverSends.class);
      stack.insertProtocol(top, ProtocolStack.Position.ABOVE, ReceiverSends.class);
      return new Rig(a, b, onA, onB, top, caught);
    }

    @Override
    public void close() {
      try (a; b) {
        // both closed, b first
      }
    }
  }

  @Test
  void cacheWritesArePassedUpByTheReceiverThatReadThemAndItsSendsSkipFlowControl() throws Exception {
    try (Rig rig = Rig.start()) {
      Top top = rig.top();
      Catch caught = rig.caught();

      for (int i = 0; i < 20; i++) {
        rig.onA().put("k" + i, "v" + i);
      }

      assertThat(rig.onB().get("k19")).isEqualTo("v19");
      assertThat(top.threads).isNotEmpty();
      assertThat(top.threads).allMatch(name -> name.startsWith("Connection.Receiver"), "a receiver thread");
      // The probe was sent by the receiver, while delivering: it skipped flow control.
      assertThat(caught.noFlowControl).hasSize(1);
      assertThat(caught.noFlowControl.keySet()).allMatch(name -> name.startsWith("Connection.Receiver"));
      assertThat(caught.noFlowControl.values()).containsOnly(true);
      // Any other thread's sends keep flow control.
      top.down(new EmptyMessage(rig.a().jgroupsChannel().getAddress()));
      assertThat(caught.noFlowControl.get(Thread.currentThread().getName())).isFalse();
    }
  }

  @Test
  void aReceiverThatTakesLongIsReportedWithItsStack() throws Exception {
    try (Rig rig = Rig.start()) {
      Top top = rig.top();
      CountDownLatch release = new CountDownLatch(1);
      // Past the report threshold (a third of the 1.5 s drop time), inside the drop time.
      top.holdMillis = 1_200;
      top.hold = release;

      try (LogCapture log = new LogCapture()) {
        rig.onA().putAsync("held", "v");
        await()
            .atMost(Duration.ofSeconds(10))
            .until(() -> log.warnings().stream().anyMatch(m -> m.startsWith("COH.0700.0015W")));
        release.countDown();
        String report =
            log.warnings().stream().filter(m -> m.startsWith("COH.0700.0015W")).findFirst().orElseThrow();
        assertThat(report).contains("Connection.Receiver").contains("DirectDeliveryTest$Top.seen");
      }
    }
  }
}
