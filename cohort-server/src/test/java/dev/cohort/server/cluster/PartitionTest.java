package dev.cohort.server.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.cohort.server.testing.LogCapture;
import dev.cohort.server.testing.TestGrids;
import dev.cohort.server.testing.TestNode;
import dev.cohort.server.testing.TestPackages;
import dev.cohort.server.testing.TestPostgres;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Network splits of a three-node stateful cluster, cut in process with JGroups DISCARD: node c
 * is cut off from a and b. With {@code failover-priority: consistency} the minority side refuses
 * session work (503, COH.0300.0004E) but serves stateless calls, and the failover actions do what
 * Terracotta's do; with {@code availability} both sides serve and the copies are merged attribute
 * by attribute when the split heals.
 */
class PartitionTest {

  @TempDir Path dir;
  private final List<TestNode> nodes = new ArrayList<>();

  @AfterEach
  void stop() {
    for (int i = nodes.size() - 1; i >= 0; i--) {
      nodes.get(i).close();
    }
  }

  private List<TestNode> cluster(String priority) throws Exception {
    String url = TestPostgres.newDatabase();
    Path packages = TestPackages.deployTest(dir.resolve("packages"));
    List<Integer> ports = TestGrids.transportPorts(3);
    for (String name : List.of("node-a", "node-b", "node-c")) {
      TestNode.Builder builder =
          TestGrids.statefulNode(dir.resolve(name), packages, url, name, ports.get(nodes.size()), ports)
              .set("cluster.replication", "all")
              .set("cluster.failover-priority", priority);
      nodes.add(builder.start());
    }
    await().atMost(Duration.ofSeconds(30)).until(() -> nodes.stream().allMatch(n -> members(n) == 3));
    return nodes;
  }

  private static int members(TestNode node) {
    return node.node().grid().orElseThrow().members().size();
  }

  private static Grid grid(TestNode node) {
    return node.node().grid().orElseThrow();
  }

  /** Cuts c off from a and b (both directions) and waits until each side sees only itself. */
  private void split(TestNode a, TestNode b, TestNode c) {
    TestGrids.cutOff(grid(c), Set.of("node-a", "node-b"));
    TestGrids.cutOff(grid(a), Set.of("node-c"));
    TestGrids.cutOff(grid(b), Set.of("node-c"));
    await().atMost(Duration.ofSeconds(30)).until(() -> members(c) == 1 && members(a) == 2 && members(b) == 2);
  }

  private void heal() {
    nodes.forEach(n -> TestGrids.heal(grid(n)));
    await().atMost(Duration.ofSeconds(60)).until(() -> nodes.stream().allMatch(n -> members(n) == 3));
    // Merged once the conflict resolution and rebalance that follow the view change are done.
    await()
        .atMost(Duration.ofSeconds(60))
        .until(
            () ->
                nodes.stream()
                    .allMatch(
                        n -> grid(n).status().caches().stream()
                            .allMatch(cs -> !cs.rebalancing() && cs.settled())));
  }

  private static String get(TestNode node, String session, String name) {
    TestNode.Reply reply =
        node.post("/invoke/test.session/get", "{\"name\":\"" + name + "\"}").session(session).send();
    assertThat(reply.status()).as(reply.body()).isEqualTo(200);
    return reply.json().path("value").asText();
  }

  private static TestNode.Reply put(TestNode node, String session, String name, String value) {
    return node.post(
            "/invoke/test.session/put",
            "{\"name\":\"" + name + "\",\"value\":\"" + value + "\"}")
        .session(session)
        .send();
  }

  @Test
  void consistencyTheMinorityRefusesSessionWorkUntilPromotedAndRestartRejoinsClean() throws Exception {
    cluster("consistency");
    TestNode a = nodes.get(0);
    TestNode b = nodes.get(1);
    TestNode c = nodes.get(2);
    String session = a.post("/invoke/test.session/whoami", "{}").asAdmin().send().sessionId();
    assertThat(put(a, session, "cart", "before").status()).isEqualTo(200);

    try (LogCapture log = new LogCapture()) {
      split(a, b, c);
      await()
          .atMost(Duration.ofSeconds(30))
          .until(() -> c.post("/invoke/test.session/get", "{\"name\":\"cart\"}").session(session).send().status() == 503);
      TestNode.Reply refused = put(c, session, "cart", "minority");
      assertThat(refused.status()).isEqualTo(503);
      assertThat(refused.errorCode()).isEqualTo("COH-SESSION-UNAVAILABLE");
      assertThat(refused.body()).contains("could not").contains("session");
      assertThat(log.messages()).anyMatch(m -> m.startsWith("COH.0300.0004E could not"));
      // Stateless services keep working, and load balancers take the node out.
      assertThat(c.post("/invoke/test.echo/echo", "{\"x\":1}").asAdmin().send().status()).isEqualTo(200);
      assertThat(c.get("/health/ready").send().status()).isEqualTo(503);
      // The majority side carries on.
      assertThat(put(a, session, "cart", "majority").status()).isEqualTo(200);
      assertThat(get(b, session, "cart")).isEqualTo("majority");
      assertThat(a.get("/health/ready").send().status()).isEqualTo(200);
    }

    // --promote: the operator decides the other side is gone; this side serves again (and diverges).
    TestNode.Reply promoted =
        c.admin("POST", "/admin/api/cluster/failover-action", "{\"action\":\"promote\"}").asAdmin().send();
    assertThat(promoted.status()).as(promoted.body()).isEqualTo(200);
    assertThat(promoted.json().path("message").asText()).startsWith("promoted");
    assertThat(get(c, session, "cart")).isEqualTo("before");
    assertThat(put(c, session, "cart", "promoted-minority").status()).isEqualTo(200);
    assertThat(c.get("/health/ready").send().status()).isEqualTo(200);

    // --restart: drop the promoted side's state and rejoin; the majority's data wins.
    TestNode.Reply restarted =
        c.admin("POST", "/admin/api/cluster/failover-action", "{\"action\":\"restart\"}").asAdmin().send();
    assertThat(restarted.status()).as(restarted.body()).isEqualTo(200);
    heal();
    await().atMost(Duration.ofSeconds(30)).until(() -> get(c, session, "cart").equals("majority"));
    assertThat(get(a, session, "cart")).isEqualTo("majority");
    assertThat(put(c, session, "cart", "after").status()).isEqualTo(200);
    assertThat(get(b, session, "cart")).isEqualTo("after");
  }

  @Test
  void availabilityBothSidesServeAndTheCopiesMergeAttributeByAttribute() throws Exception {
    cluster("availability");
    TestNode a = nodes.get(0);
    TestNode b = nodes.get(1);
    TestNode c = nodes.get(2);
    String session = a.post("/invoke/test.session/whoami", "{}").asAdmin().send().sessionId();
    assertThat(put(a, session, "shared", "before").status()).isEqualTo(200);

    split(a, b, c);
    assertThat(put(a, session, "x", "from-majority").status()).isEqualTo(200);
    assertThat(put(c, session, "y", "from-minority").status()).isEqualTo(200);
    assertThat(put(a, session, "shared", "majority").status()).isEqualTo(200);
    // Changed on both sides: the side that used the session last wins.
    assertThat(put(c, session, "shared", "minority-later").status()).isEqualTo(200);
    assertThat(get(c, session, "x")).isEqualTo("null");

    heal();
    for (TestNode node : nodes) {
      await()
          .atMost(Duration.ofSeconds(30))
          .untilAsserted(
              () -> {
                assertThat(get(node, session, "x")).isEqualTo("from-majority");
                assertThat(get(node, session, "y")).isEqualTo("from-minority");
                assertThat(get(node, session, "shared")).isEqualTo("minority-later");
              });
    }
  }
}
