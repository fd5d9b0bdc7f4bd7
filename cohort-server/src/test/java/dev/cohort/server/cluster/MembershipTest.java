package dev.cohort.server.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cohort.server.NodeStartException;
import dev.cohort.server.testing.TestGrids;
import dev.cohort.server.testing.TestNode;
import dev.cohort.server.testing.TestPackages;
import dev.cohort.server.testing.TestPostgres;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Membership of a stateless cluster through the shared database. */
class MembershipTest {

  @TempDir Path dir;

  private TestNode.Builder node(String url, String name, String cluster) throws IOException {
    return TestNode.builder(dir.resolve(name), TestPackages.deployTest(dir.resolve("packages")))
        .set("node.name", name)
        .set("database.url", url)
        .set("database.user", "postgres")
        .set("database.password", "postgres")
        .set("cluster.enabled", "true")
        .set("cluster.name", cluster)
        .set("cluster.registry-heartbeat", "200ms")
        .set("cluster.registry-timeout", "1500ms");
  }

  private static List<String> names(JsonNode members) {
    List<String> names = new ArrayList<>();
    members.path("members").forEach(m -> names.add(m.path("name").asText()));
    return names;
  }

  private static JsonNode members(TestNode node) {
    return node.get("/cluster/members").asAdmin().send().json();
  }

  @Test
  void membersSeeEachOtherWithOneEpochAndAStoppedNodeDropsOut() throws Exception {
    String url = TestPostgres.newDatabase();
    try (TestNode a = node(url, "node-a", "prod").start()) {
      TestNode b = node(url, "node-b", "prod").start();
      await().atMost(Duration.ofSeconds(10)).until(() -> names(members(a)).equals(List.of("node-a", "node-b")));
      await().atMost(Duration.ofSeconds(10)).until(() -> members(a).path("epoch").equals(members(b).path("epoch")));
      JsonNode view = members(a);
      assertThat(view.path("cluster").asText()).isEqualTo("prod");
      assertThat(view.path("mode").asText()).isEqualTo("stateless");
      assertThat(view.path("members").get(1).path("url").asText()).isEqualTo("http://127.0.0.1:" + b.node().port());
      String epochWithBoth = view.path("epoch").asText();

      b.close();
      await().atMost(Duration.ofSeconds(10)).until(() -> names(members(a)).equals(List.of("node-a")));
      assertThat(members(a).path("epoch").asText()).isNotEqualTo(epochWithBoth);
      // Every reply carries the epoch (worked out at most every 100 ms), so clients notice the
      // change without asking.
      String epochWithA = members(a).path("epoch").asText();
      await()
          .atMost(Duration.ofSeconds(5))
          .until(() -> a.get("/session").asAdmin().send().header("X-Cohort-Epoch").orElse("").equals(epochWithA));
    }
  }

  @Test
  void aNodeWhoseHeartbeatsStopDropsOutByTheDatabaseClockAndRefreshForgetsIt() throws Exception {
    String url = TestPostgres.newDatabase();
    try (TestNode a = node(url, "node-a", "prod").start()) {
      try (Connection c = DriverManager.getConnection(url, "postgres", "postgres");
          Statement s = c.createStatement()) {
        // A node that registered and then died without a word (as after SIGKILL).
        s.execute(
            "INSERT INTO cohort_node VALUES ('prod', 'ghost', 'http://10.9.9.9:5555', 'http://10.9.9.9:9999',"
                + " 'x', 'ready', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP, 0)");
      }
      await().atMost(Duration.ofSeconds(10)).until(() -> names(members(a)).contains("ghost"));
      await().atMost(Duration.ofSeconds(10)).until(() -> !names(members(a)).contains("ghost"));

      JsonNode admin = a.admin("GET", "/admin/api/cluster", null).asAdmin().send().json();
      JsonNode ghost = find(admin.path("members"), "ghost");
      assertThat(ghost.path("live").asBoolean()).isFalse();
      assertThat(ghost.path("heartbeatAgeMillis").asLong()).isGreaterThanOrEqualTo(1500);
      JsonNode self = find(admin.path("members"), "node-a");
      assertThat(self.path("live").asBoolean()).isTrue();
      assertThat(Math.abs(self.path("clockSkewMillis").asLong()))
          .as("same machine, same clock: skew is small")
          .isLessThan(1000);

      JsonNode refreshed = a.admin("POST", "/admin/api/cluster/refresh", "{}").asAdmin().send().json();
      assertThat(refreshed.path("members").toString()).doesNotContain("ghost").contains("node-a");
    }
  }

  @Test
  void anOfflineNodeClosesItsPrimaryPortLeavesTheListAndComesBack() throws Exception {
    String url = TestPostgres.newDatabase();
    try (TestNode a = node(url, "node-a", "prod").start();
        TestNode b = node(url, "node-b", "prod").start()) {
      await().atMost(Duration.ofSeconds(10)).until(() -> names(members(a)).equals(List.of("node-a", "node-b")));
      int port = b.node().port();

      JsonNode offline = b.admin("POST", "/admin/api/node/offline", "{}").asAdmin().send().json();
      assertThat(offline.path("state").asText()).isEqualTo("offline");
      assertThatThrownBy(() -> new java.net.Socket("127.0.0.1", port).close()).isInstanceOf(java.net.ConnectException.class);
      assertThat(b.admin("GET", "/health/ready", null).send().status()).isEqualTo(503);
      await().atMost(Duration.ofSeconds(10)).until(() -> names(members(a)).equals(List.of("node-a")));
      assertThat(b.admin("POST", "/admin/api/node/offline", "{}").asAdmin().send().status()).as("already offline").isEqualTo(409);

      assertThat(b.admin("POST", "/admin/api/node/online", "{}").asAdmin().send().json().path("state").asText()).isEqualTo("ready");
      assertThat(b.node().port()).as("same port").isEqualTo(port);
      assertThat(b.post("/invoke/test.echo/echo", "{}").asAdmin().send().status()).isEqualTo(200);
      await().atMost(Duration.ofSeconds(10)).until(() -> names(members(a)).equals(List.of("node-a", "node-b")));
    }
  }

  @Test
  void aNodeRunningOtherPackagesIsFlagged() throws Exception {
    String url = TestPostgres.newDatabase();
    Path otherPackages =
        TestPackages.deploy(
            dir.resolve("other-packages"), "Test",
            TestPackages.TEST_MANIFEST.replace("version: 1.0.0", "version: 1.0.1"),
            "dev/cohort/server/testpkg/");
    try (TestNode a = node(url, "node-a", "prod").start();
        TestNode b = node(url, "node-b", "prod").start();
        TestNode c =
            TestNode.builder(dir.resolve("node-c"), otherPackages)
                .set("node.name", "node-c").set("database.url", url).set("database.user", "postgres")
                .set("database.password", "postgres").set("cluster.enabled", "true").set("cluster.name", "prod")
                .set("cluster.registry-heartbeat", "200ms").set("cluster.registry-timeout", "1500ms")
                .start()) {
      await().atMost(Duration.ofSeconds(10))
          .until(() -> a.admin("GET", "/admin/api/cluster", null).asAdmin().send().json().path("members").size() == 3);
      await().atMost(Duration.ofSeconds(10))
          .untilAsserted(() -> assertThat(a.admin("GET", "/admin/api/cluster", null).asAdmin().send().json().path("mismatches").toString())
              .isEqualTo("{\"node-c\":[\"packages\"]}"));
    }
  }

  @Test
  void removeAndAddTakeEffectAtTheNextRestartAndArePersisted() throws Exception {
    String url = TestPostgres.newDatabase();
    try (TestNode a = node(url, "node-a", "prod").start()) {
      TestNode b = node(url, "node-b", "prod").start();
      await().atMost(Duration.ofSeconds(10)).until(() -> names(members(a)).equals(List.of("node-a", "node-b")));

      JsonNode removed = b.admin("POST", "/admin/api/node/remove", "{}").asAdmin().send().json();
      assertThat(removed.path("message").asText()).contains("leaves the cluster when it restarts");
      assertThat(java.nio.file.Files.readString(dir.resolve("node-b").resolve("node-overrides.yaml")))
          .contains("cluster.enabled: \"false\"");
      // As the seed says: until it restarts, it stays in the others' lists.
      assertThat(names(members(a))).contains("node-b");

      b.close();
      b = node(url, "node-b", "prod").start(); // same configuration, as after a restart
      assertThat(b.admin("GET", "/admin/api/node", null).asAdmin().send().json().path("mode").asText())
          .isEqualTo("standalone");
      await().atMost(Duration.ofSeconds(10)).until(() -> names(members(a)).equals(List.of("node-a")));

      assertThat(b.admin("POST", "/admin/api/node/add", "{}").asAdmin().send().json().path("message").asText())
          .contains("restart it to rejoin");
      b.close();
      try (TestNode again = node(url, "node-b", "prod").start()) {
        assertThat(again.admin("GET", "/admin/api/node", null).asAdmin().send().json().path("mode").asText())
            .isEqualTo("stateless cluster");
        await().atMost(Duration.ofSeconds(10)).until(() -> names(members(a)).equals(List.of("node-a", "node-b")));
      }
    }
  }

  @Test
  void clustersWithDifferentNamesOnOneDatabaseNeverSeeEachOther() throws Exception {
    String url = TestPostgres.newDatabase();
    try (TestNode a = node(url, "node-a", "blue").start();
        TestNode b = node(url, "node-b", "green").start()) {
      await().atMost(Duration.ofSeconds(10)).until(() -> names(members(a)).equals(List.of("node-a")));
      await().atMost(Duration.ofSeconds(10)).until(() -> names(members(b)).equals(List.of("node-b")));
      assertThat(names(members(a))).containsExactly("node-a");
      assertThat(members(a).path("cluster").asText()).isEqualTo("blue");
    }
  }

  @Test
  void aSecondLiveNodeWithTheSameNameIsRefused() throws Exception {
    String url = TestPostgres.newDatabase();
    try (TestNode a = node(url, "node-a", "prod").start()) {
      assertThatThrownBy(() -> node(url, "node-a", "prod").set("node.data-dir", dir.resolve("other").toString()).start())
          .isInstanceOf(NodeStartException.class)
          .hasMessageContaining("a live node named 'node-a'")
          .hasMessageContaining("scheduler.logical-hostname");
    }
  }

  @Test
  void aStandaloneNodeListsItself() throws Exception {
    try (TestNode solo = TestNode.builder(dir.resolve("solo"), TestPackages.deployTest(dir.resolve("packages"))).start()) {
      JsonNode view = members(solo);
      assertThat(names(view)).containsExactly("test-node");
      assertThat(view.path("epoch").asText()).isNotBlank();
      assertThat(view.path("mode").asText()).isEqualTo("standalone");
      // Clients ask with their password alone: no session is started for them each time.
      members(solo);
      assertThat(solo.admin("GET", "/admin/api/sessions", null).asAdmin().send().json().path("count").asInt())
          .isZero();
      assertThat(solo.get("/cluster/members").send().status()).as("needs credentials").isEqualTo(401);
    }
  }

  @Test
  void aDatabaseOutageMakesTheNodeNotReadyUntilTheDatabaseReturns() throws Exception {
    // PostgreSQL restarts on this port later: it must not be one an outgoing connection may take.
    int port = TestGrids.listenPort();
    Path pgData = dir.resolve("pg");
    EmbeddedPostgres pg = EmbeddedPostgres.builder().setDataDirectory(pgData).setCleanDataDirectory(false).setPort(port).start();
    String url = pg.getJdbcUrl("postgres", "postgres");
    try (TestNode a = node(url, "node-a", "prod").start()) {
      await().atMost(Duration.ofSeconds(10)).until(() -> a.get("/health/ready").send().status() == 200);

      pg.close();
      await().atMost(Duration.ofSeconds(30)).until(() -> a.get("/health/ready").send().status() == 503);
      assertThat(a.get("/health/ready").send().json().path("degraded").asText()).contains("database");

      pg = EmbeddedPostgres.builder().setDataDirectory(pgData).setCleanDataDirectory(false).setPort(port).start();
      await().atMost(Duration.ofSeconds(60)).until(() -> a.get("/health/ready").send().status() == 200);
    } finally {
      pg.close();
    }
  }

  private static JsonNode find(JsonNode members, String name) {
    for (JsonNode m : members) {
      if (m.path("name").asText().equals(name)) {
        return m;
      }
    }
    throw new AssertionError("no member " + name + " in " + members);
  }
}
