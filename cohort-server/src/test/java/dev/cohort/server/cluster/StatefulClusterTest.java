package dev.cohort.server.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cohort.server.testing.TestGrids;
import dev.cohort.server.testing.TestNode;
import dev.cohort.server.testing.TestPackages;
import dev.cohort.server.testing.TestPostgres;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * Three nodes of a stateful cluster (one PostgreSQL database, one Infinispan grid over the sealed
 * JGroups transport): a conversation continues on any node with every attribute.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class StatefulClusterTest {

  final List<TestNode> nodes = new ArrayList<>();
  TestNode a;
  TestNode b;
  TestNode c;

  @BeforeAll
  void start(@TempDir Path dir) throws Exception {
    String url = TestPostgres.newDatabase();
    Path packages = TestPackages.deployTest(dir.resolve("packages"));
    List<Integer> ports = TestGrids.transportPorts(3);
    String[] names = {"node-a", "node-b", "node-c"};
    for (int i = 0; i < 3; i++) {
      TestNode.Builder builder =
          TestGrids.statefulNode(dir.resolve(names[i]), packages, url, names[i], ports.get(i), ports)
              .set("cluster.replication", "backup");
      nodes.add(builder.start());
    }
    a = nodes.get(0);
    b = nodes.get(1);
    c = nodes.get(2);
    await()
        .atMost(Duration.ofSeconds(30))
        .until(() -> nodes.stream().allMatch(n -> n.node().grid().orElseThrow().members().size() == 3));
  }

  @AfterAll
  void stop() {
    for (int i = nodes.size() - 1; i >= 0; i--) {
      nodes.get(i).close();
    }
  }

  @Test
  void aConversationStartedOnOneNodeContinuesOnTheOthersWithAllItsAttributes() {
    TestNode.Reply first =
        a.post("/invoke/test.session/append", "{\"item\":\"one\"}").asAdmin().send();
    assertThat(first.status()).isEqualTo(200);
    String session = first.sessionId();

    assertThat(b.post("/invoke/test.session/append", "{\"item\":\"two\"}").session(session).send().json().path("size").asInt())
        .isEqualTo(2);
    assertThat(c.post("/invoke/test.session/put", "{\"name\":\"lang\",\"value\":\"de\"}").session(session).send().status())
        .isEqualTo(200);

    assertThat(nodes.stream().mapToLong(n -> n.node().grid().orElseThrow().bytesSent()).sum())
        .as("the nodes count the bytes they send each other")
        .isPositive();
    JsonNode log = a.post("/invoke/test.session/get", "{\"name\":\"log\"}").session(session).send().json();
    assertThat(log.path("value").asText()).isEqualTo("[one, two]");
    JsonNode lang = b.post("/invoke/test.session/get", "{\"name\":\"lang\"}").session(session).send().json();
    assertThat(lang.path("value").asText()).isEqualTo("de");
  }

  @Test
  void concurrentCallsOnOneSessionAcrossNodesNeverLoseAnUpdateSilently() throws Exception {
    String session = a.post("/invoke/test.session/whoami", "{}").asAdmin().send().sessionId();
    int calls = 120;
    ExecutorService pool = Executors.newFixedThreadPool(12);
    List<Future<TestNode.Reply>> replies = new ArrayList<>();
    for (int i = 0; i < calls; i++) {
      TestNode node = nodes.get(i % 3);
      TestNode other = nodes.get((i + 1) % 3);
      String body = "{\"item\":\"i" + i + "\"}";
      replies.add(pool.submit(() -> node.post("/invoke/test.session/append", body).session(session).send()));
      // Different attributes on other nodes at the same time: these must all keep their change.
      String put = "{\"name\":\"k" + i + "\",\"value\":\"v" + i + "\"}";
      replies.add(pool.submit(() -> other.post("/invoke/test.session/put", put).session(session).send()));
    }
    List<String> appended = new ArrayList<>();
    int conflicts = 0;
    for (int i = 0; i < replies.size(); i++) {
      TestNode.Reply r = replies.get(i).get();
      boolean isAppend = i % 2 == 0;
      if (r.status() == 200) {
        if (isAppend) {
          appended.add("i" + (i / 2));
        }
      } else {
        assertThat(r.status()).as(r.body()).isEqualTo(409);
        assertThat(r.errorCode()).isEqualTo("COH-SESSION-CONFLICT");
        assertThat(isAppend).as("only writes to the same attribute may conflict: " + r.body()).isTrue();
        conflicts++;
      }
    }
    pool.shutdown();

    String log = c.post("/invoke/test.session/get", "{\"name\":\"log\"}").session(session).send().json().path("value").asText();
    List<String> stored = List.of(log.substring(1, log.length() - 1).split(", "));
    assertThat(stored).as("every acknowledged append is stored, and nothing else").containsExactlyInAnyOrderElementsOf(appended);
    for (int i = 0; i < calls; i++) {
      assertThat(b.post("/invoke/test.session/get", "{\"name\":\"k" + i + "\"}").session(session).send().json().path("value").asText())
          .isEqualTo("v" + i);
    }
    assertThat(appended.size() + conflicts).isEqualTo(calls);
  }

  @Test
  void anApplicationAttributePutOnOneNodeIsVisibleOnEveryNodeWhenThePutReturns() {
    TestNode.Reply put =
        a.post("/invoke/test.app/put", "{\"name\":\"rate\",\"value\":\"1.08\"}").asAdmin().send();
    assertThat(put.status()).as(put.body()).isEqualTo(200);
    for (TestNode node : List.of(b, c, a)) {
      JsonNode got = node.post("/invoke/test.app/get", "{\"name\":\"rate\"}").asAdmin().send().json();
      assertThat(got.path("value").asText()).isEqualTo("1.08");
      assertThat(got.path("names").asText()).contains("rate");
    }
  }

  @Test
  void membersAndTheCacheViewComeFromTheClusterTransport() {
    JsonNode cluster = b.admin("GET", "/admin/api/cluster", null).asAdmin().send().json();
    assertThat(cluster.path("grid").path("members")).hasSize(3);
    assertThat(cluster.path("grid").path("coordinator").asText()).isEqualTo("node-a");
    JsonNode sessions = null;
    for (JsonNode cache : cluster.path("grid").path("caches")) {
      if (cache.path("name").asText().equals("cohort-sessions")) {
        sessions = cache;
      }
    }
    assertThat(sessions).isNotNull();
    assertThat(sessions.path("name").asText()).isEqualTo("cohort-sessions");
    assertThat(sessions.path("availability").asText()).isEqualTo("available");
    assertThat(sessions.path("mode").asText()).contains("dist");
    // Serving once each node has registered as ready in the database (registry heartbeat).
    await()
        .atMost(Duration.ofSeconds(20))
        .until(() -> b.get("/cluster/members").asAdmin().send().json().path("members").size() == 3);
    assertThat(b.get("/cluster/members").asAdmin().send().json().path("mode").asText())
        .isEqualTo("stateful");
  }
}
