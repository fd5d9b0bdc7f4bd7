package dev.cohort.server.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cohort.server.testing.TestGrids;
import java.util.List;
import org.jgroups.protocols.BaseBundler;
import org.jgroups.protocols.PerDestinationBundler;
import org.junit.jupiter.api.Test;

/**
 * The cluster transport sends with a thread per destination. JGroups 5.5.5's single sender thread
 * (its default) loops forever once a member leaves while messages to it wait: it drops them
 * without lowering its count of waiting messages. The loop runs on a virtual thread, which keeps
 * its carrier, so on two cores it stalled a node (a node's close in StatefulClusterTest never
 * finished).
 */
class BundlerTest {

  @Test
  void messagesAreSentByASenderThreadPerDestination() throws Exception {
    List<Integer> ports = TestGrids.transportPorts(1);
    try (Grid a = TestGrids.grid("a", TestGrids.statefulSettings(ports.get(0), ports))) {
      var bundler = a.jgroupsChannel().getProtocolStack().getTransport().getBundler();

      assertThat(bundler).isInstanceOf(PerDestinationBundler.class);
      assertThat(((BaseBundler) bundler).useSingleSenderThread()).isFalse();
    }
  }
}
