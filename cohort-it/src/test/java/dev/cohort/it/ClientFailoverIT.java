package dev.cohort.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cohort.client.Call;
import dev.cohort.client.CohortClient;
import dev.cohort.client.OutcomeUnknownException;
import dev.cohort.client.UnavailableException;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Java SDK against a real 3-node stateful cluster (separate processes): a conversation goes
 * on while its nodes are SIGKILLed one at a time, and the calls that cannot be repeated say so.
 */
class ClientFailoverIT {

  @TempDir Path dir;
  private final List<NodeProcess> launched = new ArrayList<>();
  private final NodeClient admin = new NodeClient(StatefulCluster.PASSWORD, Duration.ofSeconds(20));
  private StatefulCluster cluster;
  private String test;

  @BeforeEach
  void setUp(TestInfo info) {
    test = info.getTestMethod().orElseThrow().getName();
    cluster = new StatefulCluster(dir, launched, admin);
  }

  @AfterEach
  void stop() throws Exception {
    for (NodeProcess n : launched) {
      n.close();
    }
    cluster.saveLogs(test);
  }

  private static URI url(NodeProcess n) {
    return URI.create("http://127.0.0.1:" + n.port);
  }

  private static CohortClient.Builder client(NodeProcess first) {
    return CohortClient.builder()
        .servers(url(first))
        .credentials("Administrator", StatefulCluster.PASSWORD)
        .requestTimeout(Duration.ofSeconds(15));
  }

  /** A conversation: cart lines put one after another until stopped, each acknowledged one kept. */
  private static final class Shopper implements Runnable {
    final CohortClient sdk;
    final List<String> acknowledged = Collections.synchronizedList(new ArrayList<>());
    final AtomicReference<Throwable> surfaced = new AtomicReference<>();
    volatile boolean stop;

    Shopper(CohortClient sdk) {
      this.sdk = sdk;
    }

    @Override
    public void run() {
      try {
        for (int i = 1; !stop; i++) {
          String item = "item-" + i;
          // Idempotent by design (a cart line is added once), so the client may repeat it.
          sdk.invoke("samples.cart:putItem", Map.of("line", "L" + i, "item", item), Call.idempotent());
          acknowledged.add(item);
        }
      } catch (Throwable t) {
        surfaced.set(t);
      }
    }

    int count() {
      return acknowledged.size();
    }
  }

  @Test
  void aCartConversationOutlivesItsNodesBeingKilledOneAtATime() throws Exception {
    List<NodeProcess> nodes = new ArrayList<>(cluster.start("sdk", "backup"));
    try (CohortClient sdk = client(nodes.get(0)).build()) {
      Shopper shopper = new Shopper(sdk);
      Thread thread = Thread.ofPlatform().name("shopper").start(shopper);
      for (int round = 0; round < 3; round++) {
        int before = shopper.count();
        awaitProgress(shopper, before + 10);
        NodeProcess victim =
            nodes.stream().filter(n -> url(n).getPort() == sdk.currentServer().getPort()).findFirst().orElseThrow();
        int atKill = shopper.count();
        victim.kill();
        awaitProgress(shopper, atKill + 10);
        List<NodeProcess> survivors = nodes.stream().filter(n -> n != victim).toList();
        NodeProcess back = restart(victim, survivors.get(0));
        nodes.set(nodes.indexOf(victim), back);
        cluster.awaitGrid(nodes, Duration.ofSeconds(60));
      }
      shopper.stop = true;
      thread.join(Duration.ofSeconds(30));
      assertThat(shopper.surfaced.get()).as("an error surfaced to the application").isNull();

      JsonNode items = sdk.invoke("samples.cart:listItems", Map.of(), Call.idempotent()).path("items");
      List<String> stored = new ArrayList<>();
      items.forEach(i -> stored.add(i.asText()));
      assertThat(stored).as("every acknowledged item, once, in order").isEqualTo(shopper.acknowledged);
      assertThat(stored).hasSizeGreaterThan(60);
    }
  }

  @Test
  void callsThatMayHaveRunAreNotRepeatedAndWithoutRedirectAFailureSurfaces() throws Exception {
    List<NodeProcess> nodes = cluster.start("sdk-unknown", "backup");
    NodeProcess n1 = nodes.get(0);
    try (CohortClient plain = client(n1).build();
        CohortClient repeatable = client(n1).build();
        CohortClient direct = client(n1).allowRedirect(false).failoverTimeout(Duration.ofSeconds(2)).build()) {
      assertThat(direct.invoke("samples.hello:greet", Map.of("name", "x")).path("node").asText()).isEqualTo("n1");
      plain.invoke("samples.hello:greet", Map.of());
      repeatable.invoke("samples.hello:greet", Map.of());

      // Both calls are on n1, mid-service, when n1 is killed.
      CompletableFuture<JsonNode> once =
          CompletableFuture.supplyAsync(
              () -> plain.invoke("samples.hello:greet", Map.of("name", "once", "delayMillis", 5000)));
      CompletableFuture<JsonNode> again =
          CompletableFuture.supplyAsync(
              () ->
                  repeatable.invoke(
                      "samples.hello:greet", Map.of("name", "again", "delayMillis", 5000), Call.idempotent()));
      await("both calls running on n1")
          .atMost(Duration.ofSeconds(20))
          .until(() -> n1.output().contains("greeting once in 5000 ms") && n1.output().contains("greeting again in 5000 ms"));
      n1.kill();

      assertThatThrownBy(once::join).hasCauseInstanceOf(OutcomeUnknownException.class);
      assertThat(again.join().path("node").asText()).as("repeated on another member").isIn("n2", "n3");
      assertThatThrownBy(() -> direct.invoke("samples.hello:greet", Map.of()))
          .isInstanceOf(UnavailableException.class)
          .hasMessageContaining(url(n1).toString());
    }
  }

  private void awaitProgress(Shopper shopper, int items) {
    await("the conversation reaches " + items + " items")
        .atMost(Duration.ofSeconds(90))
        .pollInterval(Duration.ofMillis(100))
        .failFast("the conversation failed", () -> shopper.surfaced.get() != null)
        .until(() -> shopper.count() >= items);
  }

  /** Starts {@code victim} again once the database registry has let its name go. */
  private NodeProcess restart(NodeProcess victim, NodeProcess survivor) throws Exception {
    cluster.awaitNameFree(victim, survivor);
    NodeProcess back = victim.restart();
    launched.add(back);
    await("restarted " + back.name + " ready")
        .atMost(StatefulCluster.STARTUP)
        .pollInterval(Duration.ofMillis(100))
        .failFast(back.name + " exited", () -> !back.alive())
        .until(() -> admin.ready(back) == 200);
    return back;
  }
}
