package dev.cohort.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.cohort.server.cluster.Grid;
import dev.cohort.server.cluster.GridStatus;
import dev.cohort.server.testing.TestGrids;
import dev.cohort.server.testing.TestNode;
import dev.cohort.server.testing.TestPostgres;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * cohort cluster status / failover-action against two real nodes of a stateful cluster that favours
 * consistency, split by dropping their traffic to each other. The tests run in order: the last one
 * stops node-b.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class StatefulClusterCommandsTest {

  final List<TestNode> nodes = new ArrayList<>();
  TestNode a;
  TestNode b;
  final Map<TestNode, String> adminUrls = new HashMap<>();
  Path passwordFile;
  final Cli cli = new Cli();

  @BeforeAll
  void start(@TempDir Path dir) throws Exception {
    String url = TestPostgres.newDatabase();
    Path packages = Files.createDirectories(dir.resolve("packages"));
    List<Integer> ports = TestGrids.transportPorts(2);
    String[] names = {"node-a", "node-b"};
    for (int i = 0; i < 2; i++) {
      TestNode.Builder builder =
          TestGrids.statefulNode(dir.resolve(names[i]), packages, url, names[i], ports.get(i), ports)
              .set("cluster.replication", "backup")
              .set("cluster.failover-priority", "consistency");
      nodes.add(builder.start());
    }
    a = nodes.get(0);
    b = nodes.get(1);
    for (TestNode node : nodes) {
      adminUrls.put(node, "http://127.0.0.1:" + node.node().adminPort());
    }
    passwordFile = Files.writeString(dir.resolve("pw"), TestNode.ADMIN_PASSWORD);
    // Both registered as ready, and the sessions cache settled on both as owners: a split
    // before that would leave the stable topology with one member, and only the other side
    // would degrade.
    await()
        .atMost(Duration.ofSeconds(30))
        .until(
            () ->
                run(b, "cluster", "status") == 0
                    && nodes.stream().allMatch(n -> settled(grid(n).status())));
  }

  private static boolean settled(GridStatus status) {
    return status.members().size() == 2
        && !status.caches().isEmpty()
        && status.caches().stream().allMatch(c -> !c.rebalancing() && c.settled());
  }

  @AfterAll
  void stop() {
    for (int i = nodes.size() - 1; i >= 0; i--) {
      nodes.get(i).close();
    }
  }

  private static Grid grid(TestNode node) {
    return node.node().grid().orElseThrow();
  }

  /**
   * Drops all traffic between the two nodes. TestGrids.cutOff matches the names in the JGroups
   * view, which carry the Infinispan version ("node-b(v=16.0.12)"), so it gets those, not "node-b".
   */
  private void split() {
    TestGrids.cutOff(grid(a), Set.of(grid(b).jgroupsChannel().getAddress().toString()));
    TestGrids.cutOff(grid(b), Set.of(grid(a).jgroupsChannel().getAddress().toString()));
  }

  private int run(TestNode node, String... args) {
    List<String> all = new ArrayList<>(List.of(args));
    all.addAll(
        List.of(
            "--admin", adminUrls.get(node),
            "--password-file", passwordFile.toString()));
    return cli.run(all.toArray(String[]::new));
  }

  @Test
  @Order(1)
  void statusShowsTheCacheView() {
    assertThat(run(b, "cluster", "status")).as(cli.out() + cli.err()).isZero();
    assertThat(cli.out()).containsPattern("node-a +ready ").containsPattern("node-b +ready ");
    assertThat(cli.out())
        .contains("Cache view from node-b")
        .containsPattern("coordinator +node-a\n")
        .containsPattern("members +node-a, node-b\n")
        .containsPattern("replication +backup\n")
        .containsPattern("failover priority +consistency\n")
        .containsPattern("cohort-sessions +distributed +available +(no|yes) +\\d+ +\\d+ +(node-a, node-b|node-b, node-a)\n")
        .doesNotContain("!!")
        .endsWith("2 of 2 member(s) serving\n");
  }

  @Test
  @Order(2)
  void aSplitIsSettledByPromotingOneSideAndRestartingTheOther() {
    split();
    await().atMost(Duration.ofSeconds(30)).until(() -> !grid(a).available() && !grid(b).available());

    assertThat(run(b, "cluster", "status")).as("a degraded cache makes status exit 3").isEqualTo(3);
    assertThat(cli.out())
        .containsPattern(
            "cohort-sessions +distributed +degraded_mode .*  !! DEGRADED: sessions refused on this side;"
                + " see cohort cluster failover-action\n");

    assertThat(run(a, "cluster", "failover-action", "--promote")).as(cli.err()).isZero();
    assertThat(cli.out())
        .startsWith("promoted: caches [")
        .containsPattern("cohort-sessions +distributed +available ")
        .doesNotContain("DEGRADED");
    assertThat(grid(a).available()).isTrue();
    assertThat(grid(b).available()).as("promoting one side leaves the other alone").isFalse();

    assertThat(run(b, "cluster", "failover-action", "--restart")).as(cli.err()).isZero();
    assertThat(cli.out()).startsWith("restarted: local cache state dropped, rejoined the cluster\n");
    await()
        .atMost(Duration.ofSeconds(30))
        .untilAsserted(
            () -> {
              assertThat(run(b, "cluster", "status")).as(cli.out()).isZero();
              assertThat(cli.out())
                  .containsPattern("members +node-a, node-b\n")
                  .containsPattern("cohort-sessions +distributed +available ");
            });
  }

  @Test
  @Order(3)
  void failFastStopsTheNode() throws Exception {
    assertThat(run(b, "cluster", "failover-action", "--fail-fast")).as(cli.err()).isZero();
    assertThat(cli.out()).isEqualTo("failing fast: the node stops now\n");
    b.node().whenStopped().get(30, TimeUnit.SECONDS);
    assertThat(run(b, "cluster", "status")).isEqualTo(1);
    assertThat(cli.err()).contains("cannot connect to");
  }
}
