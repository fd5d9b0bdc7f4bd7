package dev.cohort.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.cohort.server.testing.TestPostgres;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Three node JVMs of a stateless cluster on one PostgreSQL, behind a real HAProxy that checks
 * {@code /health/ready}: all serve; a node taken offline or SIGKILLed loses its traffic with no
 * failed request once the health check has noticed; a node back online gets traffic again.
 */
class LoadBalancerIT {

  private static final String PASSWORD = "it-admin-password";
  private static final Path HAPROXY = Path.of("/usr/sbin/haproxy");

  @TempDir Path dir;
  private final List<NodeProcess> nodes = new ArrayList<>();
  private Process haproxy;
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private String lb;

  @AfterEach
  void stop() throws InterruptedException {
    if (haproxy != null) {
      haproxy.destroyForcibly();
      haproxy.waitFor(10, TimeUnit.SECONDS);
    }
    for (NodeProcess n : nodes) {
      n.close();
    }
  }

  @Test
  void trafficFollowsTheHealthCheckThroughOfflineOnlineAndSigkill() throws Exception {
    assertThat(Files.isExecutable(HAPROXY))
        .as("HAProxy is needed: apt-get install -y haproxy (.ci/run installs it)")
        .isTrue();
    String url = TestPostgres.newDatabase();
    Map<String, String> settings =
        Map.of(
            "database.url", url,
            "database.user", "postgres",
            "cluster.enabled", "true",
            "cluster.name", "lb-test",
            "cluster.registry-heartbeat", "500ms",
            "cluster.registry-timeout", "3s",
            "node.shutdown-timeout", "5s");
    Map<String, String> env =
        Map.of("COHORT_ADMIN_PASSWORD", PASSWORD, "COHORT_DATABASE_PASSWORD", "postgres");
    for (String name : List.of("n1", "n2", "n3")) {
      NodeProcess node = NodeProcess.start(name, dir.resolve(name), settings, env);
      nodes.add(node);
      await().atMost(Duration.ofSeconds(120))
          .until(() -> node.running() || !node.alive());
      assertThat(node.alive()).as(node.output()).isTrue();
    }
    startHaproxy();

    // All three serve.
    await().atMost(Duration.ofSeconds(30)).until(() -> sample(30).servedBy().keySet().size() == 3);
    Sample all = sample(60);
    assertThat(all.failures()).isEmpty();
    assertThat(all.servedBy().keySet()).containsExactlyInAnyOrder("n1", "n2", "n3");

    // n2 offline: once the health check notices, no request fails and none reaches n2.
    assertThat(admin(nodes.get(1), "node/offline").statusCode()).isEqualTo(200);
    await().atMost(Duration.ofSeconds(20)).until(() -> !sample(15).servedBy().containsKey("n2"));
    Sample withoutN2 = sample(150);
    assertThat(withoutN2.failures()).isEmpty();
    assertThat(withoutN2.servedBy().keySet()).containsExactlyInAnyOrder("n1", "n3");

    // Back online: traffic returns.
    assertThat(admin(nodes.get(1), "node/online").statusCode()).isEqualTo(200);
    await().atMost(Duration.ofSeconds(20)).until(() -> sample(30).servedBy().containsKey("n2"));

    // n3 killed with SIGKILL: after the health check notices, nothing fails.
    nodes.get(2).kill();
    await().atMost(Duration.ofSeconds(20)).until(() -> {
      Sample s = sample(15);
      return s.failures().isEmpty() && !s.servedBy().containsKey("n3");
    });
    Sample afterKill = sample(150);
    assertThat(afterKill.failures()).isEmpty();
    assertThat(afterKill.servedBy().keySet()).containsExactlyInAnyOrder("n1", "n2");
  }

  private void startHaproxy() throws IOException {
    int port = NodeProcess.freePort();
    StringBuilder servers = new StringBuilder();
    for (NodeProcess n : nodes) {
      servers.append("  server ").append(n.name).append(" 127.0.0.1:").append(n.port).append(" check\n");
    }
    String config =
        """
        global
          maxconn 512
        defaults
          mode http
          timeout connect 2s
          timeout client 30s
          timeout server 30s
          retries 2
          option redispatch
        frontend cohort
          bind 127.0.0.1:%d
          default_backend nodes
        backend nodes
          balance roundrobin
          option httpchk GET /health/ready
          http-check expect status 200
          default-server inter 300ms fall 2 rise 2
        %s"""
            .formatted(port, servers);
    Path cfg = Files.writeString(dir.resolve("haproxy.cfg"), config);
    haproxy =
        new ProcessBuilder(HAPROXY.toString(), "-db", "-f", cfg.toString())
            .redirectErrorStream(true)
            .redirectOutput(dir.resolve("haproxy.log").toFile())
            .start();
    lb = "http://127.0.0.1:" + port;
    await().atMost(Duration.ofSeconds(20)).until(() -> haproxy.isAlive() && reachable());
  }

  private boolean reachable() {
    try (java.net.Socket s = new java.net.Socket("127.0.0.1", URI.create(lb).getPort())) {
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  /** Who served each of {@code n} greet calls through the load balancer, and what failed. */
  private record Sample(Map<String, Integer> servedBy, List<String> failures) {}

  private Sample sample(int n) {
    Map<String, Integer> servedBy = new TreeMap<>();
    List<String> failures = new ArrayList<>();
    String auth = "Basic " + Base64.getEncoder().encodeToString(("Administrator:" + PASSWORD).getBytes(StandardCharsets.UTF_8));
    for (int i = 0; i < n; i++) {
      try {
        HttpResponse<String> r =
            http.send(
                HttpRequest.newBuilder(URI.create(lb + "/invoke/samples.hello/greet"))
                    .timeout(Duration.ofSeconds(10))
                    .header("Authorization", auth)
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString("{\"name\":\"Ada\"}"))
                    .build(),
                HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() == 200 && r.body().contains("Hello, Ada!")) {
          servedBy.merge(r.headers().firstValue("X-Cohort-Node").orElse("?"), 1, Integer::sum);
        } else {
          failures.add(r.statusCode() + " " + r.body());
        }
      } catch (IOException e) {
        failures.add(e.toString());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        failures.add("interrupted");
        break;
      }
    }
    return new Sample(servedBy, failures);
  }

  private HttpResponse<String> admin(NodeProcess node, String action) throws Exception {
    String auth = "Basic " + Base64.getEncoder().encodeToString(("Administrator:" + PASSWORD).getBytes(StandardCharsets.UTF_8));
    return http.send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + node.adminPort + "/admin/api/" + action))
            .timeout(Duration.ofSeconds(60))
            .header("Authorization", auth)
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString("{}"))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }
}
