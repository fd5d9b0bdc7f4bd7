package dev.cohort.server.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.cohort.server.session.SessionData;
import dev.cohort.server.session.grid.GridSessionStore;
import dev.cohort.server.testing.LogCapture;
import dev.cohort.server.testing.TestGrids;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The cluster transport admits only nodes that hold the cluster secret and use the same cluster
 * name: others can neither join nor read session data.
 */
class TransportSecurityTest {

  private final List<Grid> grids = new ArrayList<>();

  @AfterEach
  void stop() {
    for (int i = grids.size() - 1; i >= 0; i--) {
      grids.get(i).close();
    }
  }

  private Grid start(String name, Map<String, String> settings) {
    Grid grid = TestGrids.grid(name, settings);
    grids.add(grid);
    return grid;
  }

  @Test
  void aNodeWithAnotherSecretCannotJoinNorReadSessions() {
    List<Integer> ports = TestGrids.transportPorts(3);
    Grid a = start("a", TestGrids.statefulSettings(ports.get(0), ports));
    Grid b = start("b", TestGrids.statefulSettings(ports.get(1), ports));
    await().atMost(Duration.ofSeconds(30)).until(() -> a.members().size() == 2);
    GridSessionStore onA = new GridSessionStore(a, 100);
    Instant now = Instant.now();
    onA.create(
        new SessionData(
            "secret-session", "alice", now, now, Duration.ofMinutes(5), "csrf",
            Map.of("card", new SessionData.Attribute("4111".getBytes(), 1))));

    Map<String, String> intruderSettings = new HashMap<>(TestGrids.statefulSettings(ports.get(2), ports));
    intruderSettings.put("cluster.secret", "not-the-cluster-secret");
    try (LogCapture log = new LogCapture().atInfo()) {
      Grid intruder = start("intruder", intruderSettings);
      GridSessionStore onIntruder = new GridSessionStore(intruder, 100);

      await()
          .atMost(Duration.ofSeconds(20))
          .until(() -> log.warnings().stream().anyMatch(w -> w.startsWith("COH.0700.0010W")));
      // Give discovery and merging time to do their worst: the views must stay apart.
      await()
          .during(Duration.ofSeconds(4))
          .atMost(Duration.ofSeconds(10))
          .until(() -> intruder.members().size() == 1 && a.members().size() == 2 && b.members().size() == 2);
      assertThat(a.members()).containsExactlyInAnyOrder("a", "b");
      assertThat(onIntruder.get("secret-session")).isEmpty();
      assertThat(log.messages()).noneMatch(m -> m.contains("not-the-cluster-secret") || m.contains(TestGrids.SECRET));
    }
    assertThat(new GridSessionStore(b, 100).get("secret-session")).isPresent();
  }

  @Test
  void membersFindEachOtherByMulticastToo() {
    List<Integer> ports = TestGrids.transportPorts(2);
    int group = 46_000 + ports.get(0) % 1_000;
    Grid[] grids = new Grid[2];
    for (int i = 0; i < 2; i++) {
      Map<String, String> settings = new HashMap<>(TestGrids.statefulSettings(ports.get(i), ports));
      settings.put("cluster.transport.members", "");
      settings.put("cluster.discovery", "multicast");
      settings.put("cluster.multicast.address", "228.9.9." + (ports.get(0) % 200 + 1));
      settings.put("cluster.multicast.port", Integer.toString(group));
      grids[i] = start(i == 0 ? "m1" : "m2", settings);
    }
    await().atMost(Duration.ofSeconds(30)).until(() -> grids[0].members().size() == 2);
    assertThat(grids[1].members()).containsExactlyInAnyOrder("m1", "m2");
  }

  @Test
  void nodesWithTheSameSecretButAnotherClusterNameNeverMerge() {
    List<Integer> ports = TestGrids.transportPorts(3);
    Grid a = start("a", TestGrids.statefulSettings(ports.get(0), ports));
    Grid b = start("b", TestGrids.statefulSettings(ports.get(1), ports));
    Map<String, String> other = new HashMap<>(TestGrids.statefulSettings(ports.get(2), ports));
    other.put("cluster.name", "another-cluster");
    Grid stranger = start("stranger", other);

    await()
        .during(Duration.ofSeconds(4))
        .atMost(Duration.ofSeconds(30))
        .until(() -> a.members().size() == 2 && stranger.members().size() == 1);
    assertThat(b.members()).containsExactlyInAnyOrder("a", "b");
  }
}
