package dev.cohort.server.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cohort.server.testing.TestGrids;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.jgroups.Message;
import org.jgroups.conf.ClassConfigurator;
import org.jgroups.protocols.PingHeader;
import org.jgroups.protocols.TCPPING;
import org.jgroups.stack.Protocol;
import org.jgroups.stack.ProtocolStack;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A node that starts while a member is reachable joins that member's cluster during its start,
 * even when a discovery request is lost on the way (as one is when both sides open a connection to
 * each other at the same moment, and JGroups closes one of the two with what it carried).
 */
class DiscoveryTest {

  private final List<Grid> grids = new ArrayList<>();

  @AfterEach
  void stop() {
    for (int i = grids.size() - 1; i >= 0; i--) {
      grids.get(i).close();
    }
  }

  @Test
  void aJoinerWhoseFirstDiscoveryRequestIsLostStillJoinsInsteadOfFoundingAClusterOfItsOwn()
      throws Exception {
    List<Integer> ports = TestGrids.transportPorts(2);
    Grid a = start("a", TestGrids.statefulSettings(ports.get(0), ports));
    LoseFirstDiscoveryRequest lose = new LoseFirstDiscoveryRequest();
    a.jgroupsChannel().getProtocolStack().insertProtocol(lose, ProtocolStack.Position.ABOVE, Seal.class);

    Grid b = start("b", TestGrids.statefulSettings(ports.get(1), ports));

    assertThat(lose.lost.get()).as("discovery requests a dropped").isEqualTo(1);
    // The join happens within start: a node that founded its own cluster would see only itself
    // now and merge seconds later.
    assertThat(b.members()).as("b's view right after its start").hasSize(2);
    assertThat(a.members()).hasSize(2);
  }

  private Grid start(String name, java.util.Map<String, String> settings) {
    Grid grid = TestGrids.grid(name, settings);
    grids.add(grid);
    return grid;
  }

  /** Drops the first discovery request this member receives, as a lost connection would. */
  private static final class LoseFirstDiscoveryRequest extends Protocol {
    private final short discovery = ClassConfigurator.getProtocolId(TCPPING.class);
    final AtomicInteger lost = new AtomicInteger();

    @Override
    public Object up(Message msg) {
      PingHeader header = msg.getHeader(discovery);
      if (header != null
          && header.type() == PingHeader.GET_MBRS_REQ
          && lost.compareAndSet(0, 1)) {
        return null;
      }
      return up_prot.up(msg);
    }
  }
}
