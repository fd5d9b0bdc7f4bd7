package dev.cohort.server.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.cohort.server.NodeStartException;
import dev.cohort.server.testing.TestNode;
import dev.cohort.server.testing.TestPackages;
import dev.cohort.server.testing.TestPostgres;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two nodes of a stateless cluster on one PostgreSQL database: users, groups and ACLs changed
 * through one node hold on the other, so a request sent to either is treated alike.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SharedSecurityTest {

  TestNode a;
  TestNode b;

  @BeforeAll
  void start(@TempDir Path dir) throws IOException {
    String url = TestPostgres.newDatabase();
    Path packages = TestPackages.deployTest(dir.resolve("packages"));
    a = clusterNode(dir.resolve("a"), packages, url, "node-a").start();
    b = clusterNode(dir.resolve("b"), packages, url, "node-b").start();
  }

  static TestNode.Builder clusterNode(Path data, Path packages, String url, String name) {
    return TestNode.builder(data, packages)
        .set("node.name", name)
        .set("database.url", url)
        .set("database.user", "postgres")
        .set("database.password", "postgres")
        .set("cluster.enabled", "true")
        .set("cluster.name", "test.cluster");
  }

  @AfterAll
  void stop() {
    b.close();
    a.close();
  }

  @Test
  void bothNodesRunOnPostgresAsAStatelessCluster() {
    var info = b.admin("GET", "/admin/api/node", null).asAdmin().send().json();
    assertThat(info.path("mode").asText()).isEqualTo("stateless cluster");
    assertThat(info.path("cluster").asText()).isEqualTo("test_cluster");
    assertThat(info.path("database").asText()).startsWith("jdbc:postgresql:");
    assertThat(a.post("/invoke/test.echo/echo", "{}").asAdmin().send().header("X-Cohort-Node")).hasValue("node-a");
    assertThat(b.post("/invoke/test.echo/echo", "{}").asAdmin().send().header("X-Cohort-Node")).hasValue("node-b");
  }

  @Test
  void aUserCreatedAndChangedOnOneNodeHoldsOnTheOther() {
    assertThat(a.admin("POST", "/admin/api/users", "{\"name\":\"alice\",\"password\":\"pw-1\"}").asAdmin().send().status())
        .isEqualTo(201);
    await().atMost(Duration.ofSeconds(15))
        .until(() -> b.post("/invoke/test.echo/echo", "{}").basic("alice", "pw-1").send().status() == 200);

    // alice's old password is remembered by a's credential cache; the change on b must still win.
    assertThat(a.post("/invoke/test.echo/echo", "{}").basic("alice", "pw-1").send().status()).isEqualTo(200);
    assertThat(b.admin("PUT", "/admin/api/users/alice", "{\"password\":\"pw-2\"}").asAdmin().send().status()).isEqualTo(200);
    await().atMost(Duration.ofSeconds(15))
        .until(() -> a.post("/invoke/test.echo/echo", "{}").basic("alice", "pw-1").send().status() == 401);
    assertThat(a.post("/invoke/test.echo/echo", "{}").basic("alice", "pw-2").send().status()).isEqualTo(200);
  }

  @Test
  void anAclAssignedOnOneNodeGuardsTheServiceOnTheOther() {
    a.admin("POST", "/admin/api/users", "{\"name\":\"bob\",\"password\":\"bob-pw\"}").asAdmin().send();
    await().atMost(Duration.ofSeconds(15))
        .until(() -> b.post("/invoke/test.open/ping", "{}").basic("bob", "bob-pw").send().status() == 200);

    assertThat(a.admin("PUT", "/admin/api/acl-assignments/test.open", "{\"acl\":\"Administrators\"}").asAdmin().send().status())
        .isEqualTo(200);
    await().atMost(Duration.ofSeconds(15))
        .until(() -> b.post("/invoke/test.open/ping", "{}").basic("bob", "bob-pw").send().status() == 403);
    a.admin("DELETE", "/admin/api/acl-assignments/test.open", null).asAdmin().send();
  }

  @Test
  void aNodeThatCannotReachTheDatabaseDoesNotStart(@TempDir Path dir) throws IOException {
    int closedPort;
    try (ServerSocket s = new ServerSocket(0)) {
      closedPort = s.getLocalPort();
    }
    assertThatThrownBy(
            () ->
                clusterNode(dir.resolve("c"), TestPackages.deployTest(dir.resolve("p")),
                        "jdbc:postgresql://127.0.0.1:" + closedPort + "/cohort", "node-c")
                    .start())
        .isInstanceOf(NodeStartException.class)
        .hasMessageContaining("cannot connect to the database jdbc:postgresql://127.0.0.1:" + closedPort)
        .hasMessageNotContaining("postgres@");
  }
}
