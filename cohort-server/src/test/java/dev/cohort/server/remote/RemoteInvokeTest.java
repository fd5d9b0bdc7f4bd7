package dev.cohort.server.remote;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cohort.server.testing.TestGrids;
import dev.cohort.server.testing.TestNode;
import dev.cohort.server.testing.TestPackages;
import dev.cohort.server.testing.TestPostgres;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code pub.remote:invoke} on a node whose alias names a remote cluster, with members of that
 * cluster and its retry server stopped one after another: the seeds' {@code $clusterRetry} paths.
 */
class RemoteInvokeTest {

  @TempDir Path dir;
  private final List<TestNode> nodes = new ArrayList<>();

  @AfterEach
  void stopAll() {
    nodes.forEach(TestNode::close);
  }

  private TestNode start(TestNode.Builder builder) {
    TestNode node = builder.start();
    nodes.add(node);
    return node;
  }

  private Path packages() throws IOException {
    return TestPackages.deployTest(dir.resolve("packages"));
  }

  /** The calling node, with alias {@code far} for {@code remote} and {@code retry} as retry server. */
  private TestNode local(TestNode remote, TestNode retry) throws IOException {
    Path password = dir.resolve("far-password");
    Files.writeString(password, TestNode.ADMIN_PASSWORD + "\n");
    return start(
        TestNode.builder(dir.resolve("local"), packages())
            .set("node.name", "local")
            .set("remote.aliases.far.url", remote.url("/").toString())
            .set("remote.aliases.far.user", "Administrator")
            .set("remote.aliases.far.password", "file:" + password)
            .set("remote.aliases.far.retry-server", retry.url("/").toString())
            .set("remote.aliases.far.timeout", "10s"));
  }

  private static TestNode.Reply remoteEcho(TestNode local, boolean clusterRetry) {
    return local
        .post(
            "/invoke/pub.remote/invoke",
            "{\"$alias\":\"far\",\"$service\":\"test.echo:echo\",\"$clusterRetry\":" + clusterRetry
                + ",\"msg\":\"hi\"}")
        .asAdmin()
        .send();
  }

  private static String answeredBy(TestNode.Reply reply) {
    assertThat(reply.status()).as(reply.toString()).isEqualTo(200);
    JsonNode out = reply.json();
    assertThat(out.path("input").path("msg").asText()).isEqualTo("hi");
    assertThat(out.path("input").has("$alias")).as("the $ fields stay on this side").isFalse();
    return out.path("node").asText();
  }

  @Test
  void inAStatefulRemoteClusterClusterRetryTriesTheOtherMembersFirstAndFalseGoesToTheRetryServer()
      throws IOException {
    String url = TestPostgres.newDatabase();
    List<Integer> ports = TestGrids.transportPorts(2);
    TestNode r1 = start(TestGrids.statefulNode(dir.resolve("r1"), packages(), url, "r1", ports.get(0), ports));
    TestNode r2 = start(TestGrids.statefulNode(dir.resolve("r2"), packages(), url, "r2", ports.get(1), ports));
    TestNode dr = start(TestNode.builder(dir.resolve("dr"), packages()).set("node.name", "dr"));
    TestNode local = local(r1, dr);
    await()
        .atMost(Duration.ofSeconds(30))
        .until(() -> r1.get("/cluster/members").asAdmin().send().json().path("members").size() == 2);

    assertThat(answeredBy(remoteEcho(local, true))).isEqualTo("r1");
    assertThat(answeredBy(remoteEcho(local, false))).isEqualTo("r1");

    r1.close();
    assertThat(answeredBy(remoteEcho(local, true))).as("the next member").isEqualTo("r2");
    assertThat(answeredBy(remoteEcho(local, false))).as("straight to the retry server").isEqualTo("dr");

    r2.close();
    assertThat(answeredBy(remoteEcho(local, true))).as("no member left").isEqualTo("dr");

    dr.close();
    TestNode.Reply none = remoteEcho(local, true);
    assertThat(none.status()).isEqualTo(500);
    assertThat(none.body()).contains("alias far").contains("no server could take test.echo:echo");
  }

  @Test
  void aStatelessRemoteClusterIsNotRetriedMemberByMember() throws IOException {
    String url = TestPostgres.newDatabase();
    TestNode s1 = start(stateless(url, "s1"));
    TestNode s2 = start(stateless(url, "s2"));
    TestNode dr = start(TestNode.builder(dir.resolve("dr"), packages()).set("node.name", "dr"));
    TestNode local = local(s1, dr);
    await()
        .atMost(Duration.ofSeconds(30))
        .until(() -> s1.get("/cluster/members").asAdmin().send().json().path("members").size() == 2);
    assertThat(answeredBy(remoteEcho(local, true))).isEqualTo("s1");

    s1.close();
    assertThat(answeredBy(remoteEcho(local, true))).as("seed: the retry server, not s2").isEqualTo("dr");
    assertThat(s2.node()).isNotNull();
  }

  private TestNode.Builder stateless(String url, String name) throws IOException {
    return TestNode.builder(dir.resolve(name), packages())
        .set("node.name", name)
        .set("database.url", url)
        .set("database.user", "postgres")
        .set("database.password", "postgres")
        .set("cluster.enabled", "true")
        .set("cluster.name", "far")
        .set("cluster.registry-heartbeat", "200ms")
        .set("cluster.registry-timeout", "1500ms");
  }

  @Test
  void onlyAdministratorsMayUseAnAliasByDefaultAndAWrongAliasIsNamed() throws IOException {
    TestNode dr = start(TestNode.builder(dir.resolve("dr"), packages()).set("node.name", "dr"));
    TestNode local = local(dr, dr);

    TestNode.Reply anonymous =
        local.post("/invoke/pub.remote/invoke", "{\"$alias\":\"far\",\"$service\":\"test.echo:echo\"}").send();
    assertThat(anonymous.status()).isEqualTo(401);
    TestNode.Reply unknown =
        local.post("/invoke/pub.remote/invoke", "{\"$alias\":\"near\",\"$service\":\"test.echo:echo\"}")
            .asAdmin()
            .send();
    assertThat(unknown.status()).isEqualTo(400);
    assertThat(unknown.body()).contains("no remote server alias 'near'").contains("far");
    TestNode.Reply badFlag =
        local.post(
                "/invoke/pub.remote/invoke",
                "{\"$alias\":\"far\",\"$service\":\"test.echo:echo\",\"$clusterRetry\":\"maybe\"}")
            .asAdmin()
            .send();
    assertThat(badFlag.status()).isEqualTo(400);
  }
}
