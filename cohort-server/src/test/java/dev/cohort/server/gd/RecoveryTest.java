package dev.cohort.server.gd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.cohort.server.config.DatabaseConfig;
import dev.cohort.server.config.Secret;
import dev.cohort.server.db.Database;
import dev.cohort.server.pkg.Guarantee;
import dev.cohort.server.testing.TestNode;
import dev.cohort.server.testing.TestNode.Reply;
import dev.cohort.server.testing.TestPackages;
import dev.cohort.server.testing.TestPostgres;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * A node recovering transactions whose attempt crashed on another node: a "dead node" is a claim
 * made through the job store with a 1 ms lease that nobody renews, on the PostgreSQL database the
 * node shares. Then the operator's view and actions through the admin API.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RecoveryTest {

  TestNode node;
  Database shared;
  JobStore store;
  Path dir;
  String url;

  @BeforeAll
  void start(@TempDir Path dir) throws IOException {
    this.dir = dir;
    url = TestPostgres.newDatabase();
    node =
        TestNode.builder(dir.resolve("data"), TestPackages.deployTest(dir.resolve("packages")))
            .set("database.url", url)
            .set("database.user", "postgres")
            .set("database.password", "postgres")
            .set("gd.sweep-interval", "200ms")
            .set("gd.cluster.lock-break-secs", "2")
            .start();
    shared = Database.open(new DatabaseConfig(url, "postgres", new Secret("postgres"), 2), dir);
    store = new JobStore(shared);
  }

  @AfterAll
  void stop() {
    node.close();
    shared.close();
  }

  /** A transaction of Administrator whose attempt on "dead-node" crashed while running {@code service}. */
  private String crashedOnDeadNode(String service, Guarantee guarantee, String log) {
    String tid = "t-" + UUID.randomUUID();
    store.start(tid, "Administrator", 60_000, 3);
    String input = "{\"log\":\"" + log + "\"}";
    store.claim(
        new JobStore.Request(tid, "Administrator", Tx.Kind.TX, service, guarantee,
            GuaranteedDelivery.sha256(input), input, false, 60_000, 3),
        "dead-node",
        1);
    return tid;
  }

  private static long runs(String log) throws IOException {
    Path p = Path.of(log);
    return Files.exists(p) ? Files.readAllLines(p).size() : 0;
  }

  @Test
  void aCrashedRetryAttemptIsRunAgainByALiveNodeWithoutTheClient() throws IOException {
    String log = dir.resolve("retry-" + UUID.randomUUID()).toString();
    String tid = crashedOnDeadNode("test.gdretry:effect", Guarantee.RETRY, log);

    await().atMost(Duration.ofSeconds(20)).until(() -> store.find(tid).orElseThrow().state() == TxState.DONE);
    Tx done = store.find(tid).orElseThrow();
    assertThat(done.attempts()).isEqualTo(2);
    assertThat(done.result()).hasValueSatisfying(r -> assertThat(r).contains("\"runs\":1"));
    assertThat(runs(log)).isEqualTo(1);
    Reply status = node.get("/gd/tx/" + tid).asAdmin().send();
    assertThat(status.json().path("state").asText()).isEqualTo("DONE");
  }

  @Test
  void aCrashedAtMostOnceAttemptBecomesInDoubtAndAnOperatorResubmitsIt() throws IOException {
    String log = dir.resolve("once-" + UUID.randomUUID()).toString();
    String tid = crashedOnDeadNode("test.gd:effect", Guarantee.AT_MOST_ONCE, log);

    await().atMost(Duration.ofSeconds(20)).until(() -> store.find(tid).orElseThrow().state() == TxState.IN_DOUBT);
    assertThat(runs(log)).isZero();
    Reply client = node.post("/gd/tx/" + tid + "/invoke/test.gd/effect", "{\"log\":\"" + log + "\"}").asAdmin().send();
    assertThat(client.status()).isEqualTo(409);
    assertThat(client.errorCode()).isEqualTo("COH-GD-IN-DOUBT");

    Reply listed = node.admin("GET", "/admin/api/transactions?state=in_doubt", null).asAdmin().send();
    assertThat(listed.status()).isEqualTo(200);
    assertThat(listed.json().path("transactions").findValuesAsText("tid")).contains(tid);
    assertThat(listed.json().path("counts").path("IN_DOUBT").asLong()).isPositive();
    Reply one = node.admin("GET", "/admin/api/transactions/" + tid, null).asAdmin().send();
    assertThat(one.json().path("user").asText()).isEqualTo("Administrator");
    assertThat(one.json().path("error").path("message").asText()).contains("dead-node");
    assertThat(one.json().path("input").path("log").asText()).isEqualTo(log);

    Reply resubmitted = node.admin("POST", "/admin/api/transactions/" + tid + "/resubmit", "{}").asAdmin().send();
    assertThat(resubmitted.status()).isEqualTo(200);
    await().atMost(Duration.ofSeconds(20)).until(() -> store.find(tid).orElseThrow().state() == TxState.DONE);
    assertThat(runs(log)).isEqualTo(1);

    Reply again = node.admin("POST", "/admin/api/transactions/" + tid + "/resubmit", "{}").asAdmin().send();
    assertThat(again.status()).isEqualTo(409);
    String metrics = node.admin("GET", "/metrics", null).asAdmin().send().body();
    assertThat(metrics).containsPattern("cohort_gd_attempts_total\\{.*outcome=\"in_doubt\".*\\} [1-9]");
    assertThat(metrics).contains("cohort_gd_transactions{");
  }

  @Test
  void anOperatorEndsAnInDoubtTransaction() {
    String log = dir.resolve("end-" + UUID.randomUUID()).toString();
    String tid = crashedOnDeadNode("test.gd:effect", Guarantee.AT_MOST_ONCE, log);
    await().atMost(Duration.ofSeconds(20)).until(() -> store.find(tid).orElseThrow().state() == TxState.IN_DOUBT);

    Reply ended = node.admin("DELETE", "/admin/api/transactions/" + tid, null).asAdmin().send();
    assertThat(ended.status()).isEqualTo(200);
    assertThat(store.find(tid)).isEmpty();
    assertThat(node.admin("GET", "/admin/api/transactions/" + tid, null).asAdmin().send().status()).isEqualTo(404);
  }

  @Test
  void aNodeRestartedUnderItsNameRecoversWhatItsCrashedRunHeldWithoutWaitingForTheLeases(@TempDir Path other)
      throws IOException {
    String log = dir.resolve("phoenix-" + UUID.randomUUID()).toString();
    String tid = "t-" + UUID.randomUUID();
    store.start(tid, "Administrator", 600_000, 3);
    String input = "{\"log\":\"" + log + "\"}";
    // "phoenix" crashed while it ran this, holding a lease good for ten more minutes.
    store.claim(
        new JobStore.Request(tid, "Administrator", Tx.Kind.TX, "test.gdretry:effect", Guarantee.RETRY,
            GuaranteedDelivery.sha256(input), input, false, 600_000, 3),
        "phoenix",
        600_000);

    try (TestNode phoenix =
        TestNode.builder(other.resolve("data"), TestPackages.deployTest(other.resolve("packages")))
            .set("node.name", "phoenix")
            .set("database.url", url)
            .set("database.user", "postgres")
            .set("database.password", "postgres")
            .set("gd.cluster.lock-break-secs", "600")
            .start()) {
      await().atMost(Duration.ofSeconds(20)).until(() -> store.find(tid).orElseThrow().state() == TxState.DONE);
    }
    assertThat(runs(log)).isEqualTo(1);
    assertThat(store.find(tid).orElseThrow().attempts()).isEqualTo(2);
  }

  @Test
  void theAdminListRefusesAnUnknownState() {
    Reply reply = node.admin("GET", "/admin/api/transactions?state=LOST", null).asAdmin().send();
    assertThat(reply.status()).isEqualTo(400);
  }
}
