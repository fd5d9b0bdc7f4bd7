package dev.cohort.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.cohort.server.http.Health;
import dev.cohort.server.testing.TestNode;
import dev.cohort.server.testing.TestNode.Reply;
import dev.cohort.server.testing.TestPackages;
import java.io.IOException;
import java.net.ConnectException;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Start, first-start password, health, metrics and graceful shutdown of a real node. */
class NodeLifecycleTest {

  @TempDir Path dir;

  @Test
  void firstStartPrintsAGeneratedAdministratorPasswordOnceAndItWorks() throws IOException {
    Path packages = TestPackages.deployTest(dir.resolve("packages"));
    String password;
    try (TestNode first = TestNode.builder(dir.resolve("data"), packages).generatedAdminPassword().start()) {
      Matcher m = Pattern.compile("password\\s+(\\S{16,})\\s").matcher(first.console());
      assertThat(m.find()).as(first.console()).isTrue();
      password = m.group(1);
      assertThat(first.post("/invoke/test.echo/echo", "{}").basic("Administrator", password).send().status())
          .isEqualTo(200);
      assertThat(first.post("/invoke/test.echo/echo", "{}").basic("Administrator", "changeme").send().status())
          .isEqualTo(401);
    }
    try (TestNode second = TestNode.builder(dir.resolve("data"), packages).generatedAdminPassword().start()) {
      assertThat(second.console()).as("printed only on first start").doesNotContain("password");
      assertThat(second.post("/invoke/test.echo/echo", "{}").basic("Administrator", password).send().status())
          .isEqualTo(200);
    }
  }

  @Test
  void presetAdministratorPasswordIsUsedAndNotPrinted() throws IOException {
    try (TestNode node = TestNode.builder(dir.resolve("data"), TestPackages.deployTest(dir.resolve("p"))).start()) {
      assertThat(node.console()).isEmpty();
      assertThat(node.post("/invoke/test.echo/echo", "{}").asAdmin().send().status()).isEqualTo(200);
    }
  }

  @Test
  void healthChecksOnBothPorts() throws IOException {
    try (TestNode node = TestNode.builder(dir.resolve("data"), TestPackages.deployTest(dir.resolve("p"))).start()) {
      assertThat(node.get("/health/live").send().status()).isEqualTo(200);
      Reply ready = node.get("/health/ready").send();
      assertThat(ready.status()).isEqualTo(200);
      assertThat(ready.json().path("state").asText()).isEqualTo("ready");
      assertThat(node.admin("GET", "/health/ready", null).send().status()).isEqualTo(200);
    }
  }

  @Test
  void metricsExposeCallsPerServiceSessionsAndJvm() throws IOException {
    try (TestNode node = TestNode.builder(dir.resolve("data"), TestPackages.deployTest(dir.resolve("p"))).start()) {
      node.post("/invoke/test.echo/echo", "{}").asAdmin().send();
      node.post("/invoke/test.echo/echo", "{}").asAdmin().send();
      node.post("/invoke/test.fail/boom", "{}").asAdmin().send();

      assertThat(node.admin("GET", "/metrics", null).send().status()).as("needs credentials").isEqualTo(401);
      String metrics = node.admin("GET", "/metrics", null).asAdmin().send().body();
      assertThat(metrics)
          .containsPattern("cohort_invoke_seconds_count\\{node=\"test-node\",service=\"test.echo:echo\",status=\"200\"} 2")
          .containsPattern("cohort_invoke_seconds_count\\{node=\"test-node\",service=\"test.fail:boom\",status=\"500\"} 1")
          .contains("cohort_invoke_seconds_bucket")
          .containsPattern("cohort_sessions\\{node=\"test-node\"} [1-9]")
          .contains("jvm_memory_used_bytes");
    }
  }

  @Test
  void metricsCanBeOpenedToScrapersWithoutCredentials() throws IOException {
    try (TestNode node =
        TestNode.builder(dir.resolve("data"), TestPackages.deployTest(dir.resolve("p")))
            .set("admin.metrics-require-auth", "false")
            .start()) {
      assertThat(node.admin("GET", "/metrics", null).send().status()).isEqualTo(200);
    }
  }

  @Test
  void shutdownFinishesInFlightRequestsAndRefusesNewOnes() throws Exception {
    TestNode node = TestNode.builder(dir.resolve("data"), TestPackages.deployTest(dir.resolve("p"))).start();
    int port = node.node().port();
    Path marker = dir.resolve("in-flight");
    CompletableFuture<Reply> slow =
        CompletableFuture.supplyAsync(
            () ->
                node.post("/invoke/test.slow/sleep", "{\"millis\":1500,\"marker\":\"" + marker + "\"}")
                    .asAdmin()
                    .send());
    await().atMost(Duration.ofSeconds(20)).until(() -> Files.exists(marker));

    CompletableFuture<Void> closing = CompletableFuture.runAsync(node::close);
    await().atMost(Duration.ofSeconds(10)).until(() -> node.node().state() != Health.State.READY);
    assertThat(slow.isDone()).as("the in-flight call is still running while the node drains").isFalse();

    Reply reply = slow.get();
    assertThat(reply.status()).as("the in-flight call completed").isEqualTo(200);
    assertThat(reply.json().path("slept").asLong()).isEqualTo(1500);
    closing.get();
    assertThat(node.node().state()).isEqualTo(Health.State.STOPPED);
    assertThatThrownBy(() -> new Socket("127.0.0.1", port).close()).isInstanceOf(ConnectException.class);
  }

  @Test
  void aBrokenDatabaseUrlStopsTheStartWithAClearMessage() throws IOException {
    assertThatThrownBy(
            () ->
                TestNode.builder(dir.resolve("data"), TestPackages.deployTest(dir.resolve("p")))
                    .set("database.url", "jdbc:mysql://localhost/x")
                    .start())
        .isInstanceOf(NodeStartException.class)
        .hasMessageContaining("unsupported database URL");
  }

  @Test
  void aPortInUseStopsTheStartWithAClearMessage() throws IOException {
    try (java.net.ServerSocket taken = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      assertThatThrownBy(
              () ->
                  TestNode.builder(dir.resolve("data"), TestPackages.deployTest(dir.resolve("p")))
                      .set("http.port", Integer.toString(taken.getLocalPort()))
                      .start())
          .isInstanceOf(NodeStartException.class)
          .hasMessageContaining("could not start")
          .hasMessageContaining(Integer.toString(taken.getLocalPort()));
    }
  }
}
