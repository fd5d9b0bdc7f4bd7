package dev.cohort.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.MissingNode;
import dev.cohort.server.testing.TestGrids;
import dev.cohort.server.testing.TestPostgres;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.StreamSupport;

/**
 * Three node processes ({@code bin/cohort start}'s jar) forming a stateful cluster on loopback,
 * with one embedded PostgreSQL database, for the multi-process tests.
 */
final class StatefulCluster {

  static final String PASSWORD = "it-admin-password";
  static final String SECRET = "it-failover-secret-0123456789";
  static final Duration STARTUP = Duration.ofSeconds(120);
  /** Short, so that a SIGKILLed node's name is free again soon (the registry ages it out). */
  static final Duration REGISTRY_TIMEOUT = Duration.ofSeconds(3);

  private final Path dir;
  private final List<NodeProcess> launched;
  private final NodeClient client;

  /**
   * @param dir where the nodes' data directories go
   * @param launched every process started is added here (the caller stops them)
   * @param client reads the nodes' admin API
   */
  StatefulCluster(Path dir, List<NodeProcess> launched, NodeClient client) {
    this.dir = dir;
    this.launched = launched;
    this.client = client;
  }

  /**
   * Starts a 3-node stateful cluster named {@code clusterName} with {@code replication} ({@code all} or
   * {@code backup} with one backup) and waits until every node sees all three in a settled grid.
   */
  List<NodeProcess> start(String clusterName, String replication) throws Exception {
    List<Integer> transport = TestGrids.transportPorts(3);
    Map<String, String> common = new LinkedHashMap<>();
    common.put("database.url", TestPostgres.newDatabase());
    common.put("database.user", "postgres");
    common.put("cluster.enabled", "true");
    common.put("cluster.mode", "stateful");
    common.put("cluster.name", clusterName);
    common.put("cluster.transport.host", "127.0.0.1");
    common.put(
        "cluster.transport.members",
        transport.stream().map(p -> "127.0.0.1:" + p).collect(Collectors.joining(",")));
    common.put("cluster.replication", replication);
    common.put("cluster.backups", "1");
    common.put("cluster.heartbeat-frequency", "200ms");
    common.put("cluster.drop-time", "1500ms");
    // The database registry keeps a killed node's name until its row is REGISTRY_TIMEOUT old.
    common.put("cluster.registry-heartbeat", "500ms");
    common.put("cluster.registry-timeout", REGISTRY_TIMEOUT.toMillis() + "ms");
    common.put("node.shutdown-timeout", "5s");
    Map<String, String> env =
        Map.of(
            "COHORT_ADMIN_PASSWORD", PASSWORD,
            "COHORT_DATABASE_PASSWORD", "postgres",
            "COHORT_CLUSTER_SECRET", SECRET);
    List<NodeProcess> nodes = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      Map<String, String> settings = new LinkedHashMap<>(common);
      settings.put("cluster.transport.port", Integer.toString(transport.get(i)));
      String name = "n" + (i + 1);
      NodeProcess node = NodeProcess.start(name, dir.resolve(name), settings, env);
      launched.add(node);
      nodes.add(node);
      if (i == 0) {
        // The first forms the cluster; the other two join it together.
        awaitRunning(node);
      }
    }
    for (NodeProcess n : nodes) {
      awaitRunning(n);
    }
    awaitGrid(nodes, Duration.ofSeconds(60));
    return nodes;
  }

  static void awaitRunning(NodeProcess node) {
    await(node.name + " running").atMost(STARTUP).until(() -> node.running() || !node.alive());
    assertThat(node.alive()).as("%s exited:%n%s", node.name, node.output()).isTrue();
  }

  /** Until every one of {@code nodes} sees exactly them in the grid, sessions settled on them. */
  void awaitGrid(List<NodeProcess> nodes, Duration atMost) {
    Set<String> names = nodes.stream().map(n -> n.name).collect(Collectors.toSet());
    await("a settled grid of " + names)
        .atMost(atMost)
        .pollInterval(Duration.ofMillis(200))
        .until(() -> {
          for (NodeProcess n : nodes) {
            JsonNode grid = client.cluster(n).path("grid");
            JsonNode sessions = sessionsCache(grid);
            if (!names(grid.path("members")).equals(names)
                || !names(sessions.path("owners")).equals(names)
                || !sessions.path("availability").asText().equals("available")
                || sessions.path("rebalancing").asBoolean(true)) {
              return false;
            }
          }
          return true;
        });
  }

  static JsonNode sessionsCache(JsonNode grid) {
    for (JsonNode cache : grid.path("caches")) {
      if (cache.path("name").asText().equals("cohort-sessions")) {
        return cache;
      }
    }
    return MissingNode.getInstance();
  }

  static Set<String> names(JsonNode array) {
    return StreamSupport.stream(array.spliterator(), false)
        .map(JsonNode::asText)
        .collect(Collectors.toSet());
  }


  /**
   * Until the database registry lets {@code victim}'s name go, as {@code survivor} sees it: a node
   * does not start while a live member of its name is registered, and a SIGKILLed one never says
   * goodbye, so its row has to age first.
   */
  void awaitNameFree(NodeProcess victim, NodeProcess survivor) {
    await("the registry lets " + victim.name + "'s name go")
        .atMost(REGISTRY_TIMEOUT.multipliedBy(4))
        .pollInterval(Duration.ofMillis(200))
        .until(() -> heartbeatAgeMillis(survivor, victim.name) > REGISTRY_TIMEOUT.toMillis());
  }

  /** How old {@code name}'s last heartbeat in the database registry is, as {@code node} sees it. */
  private long heartbeatAgeMillis(NodeProcess node, String name) throws Exception {
    for (JsonNode member : client.cluster(node).path("members")) {
      if (member.path("name").asText().equals(name)) {
        return member.path("heartbeatAgeMillis").asLong();
      }
    }
    return Long.MAX_VALUE;
  }

  /** Writes every launched node's output under {@code target/node-logs/<test>}, for whoever reads a failure. */
  void saveLogs(String test) throws java.io.IOException {
    Path logs = java.nio.file.Files.createDirectories(LOGS.resolve(test));
    Set<String> seen = new java.util.HashSet<>();
    for (NodeProcess n : launched) {
      String file = seen.add(n.name) ? n.name + ".log" : n.name + "-restarted.log";
      java.nio.file.Files.writeString(logs.resolve(file), n.output());
    }
  }

  static final Path LOGS = NodeProcess.REPO.resolve("cohort-it/target/node-logs");
}
