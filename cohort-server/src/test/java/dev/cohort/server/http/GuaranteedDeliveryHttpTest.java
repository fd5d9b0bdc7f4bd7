package dev.cohort.server.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.cohort.server.testing.TestNode;
import dev.cohort.server.testing.TestNode.Reply;
import dev.cohort.server.testing.TestPackages;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * Guaranteed delivery over HTTP on a real standalone node (H2): the {@code /gd/tx} protocol and
 * {@code Idempotency-Key} on {@code /invoke}. Executions are counted by the services' own
 * effects (a line in a file, a row in the database), never by the server's word.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class GuaranteedDeliveryHttpTest {

  TestNode node;
  Path dir;

  @BeforeAll
  void start(@TempDir Path dir) throws IOException {
    this.dir = dir;
    TestNode.Builder builder =
        TestNode.builder(dir.resolve("data"), TestPackages.deployTest(dir.resolve("packages")))
            .set("gd.cluster.lock-timeout-millis", "20");
    databaseUrl().ifPresent(url -> builder.set("database.url", url));
    node = builder.start();
    // The ledger's table exists before any test holds an uncommitted call open.
    assertThat(rows("warm-up")).isZero();
    Reply user =
        node.admin("POST", "/admin/api/users", "{\"name\":\"bob\",\"password\":\"bob-password-1\",\"groups\":[]}")
            .asAdmin()
            .send();
    assertThat(user.status()).isEqualTo(201);
  }

  /**
   * The node's database: its own H2 here; PostgreSQL in {@link
   * GuaranteedDeliveryHttpPostgresTest}, where exactly-once calls are claimed in their own
   * database transaction.
   */
  Optional<String> databaseUrl() {
    return Optional.empty();
  }

  @AfterAll
  void stop() {
    node.close();
  }

  private String log() {
    return dir.resolve("log-" + UUID.randomUUID()).toString();
  }

  private static long runs(String log) throws IOException {
    Path p = Path.of(log);
    return Files.exists(p) ? Files.readAllLines(p).size() : 0;
  }

  private String json(String log) {
    return "{\"log\":\"" + log.replace("\\", "\\\\") + "\"}";
  }

  // ------------------------------------------------------------------ Idempotency-Key

  @Test
  void aRepeatedIdempotencyKeyReplaysTheFirstResponseWithoutRunningTheServiceAgain() throws IOException {
    String log = log();
    Reply first = node.post("/invoke/test.gd/effect", json(log)).asAdmin().header("Idempotency-Key", "k-1").send();
    Reply second = node.post("/invoke/test.gd/effect", json(log)).asAdmin().header("Idempotency-Key", "k-1").send();

    assertThat(first.status()).isEqualTo(200);
    assertThat(first.header("Idempotent-Replayed")).isEmpty();
    assertThat(second.status()).isEqualTo(200);
    assertThat(second.body()).isEqualTo(first.body());
    assertThat(second.header("Idempotent-Replayed")).hasValue("true");
    assertThat(runs(log)).isEqualTo(1);
  }

  @Test
  void withoutAKeyEveryCallRuns() throws IOException {
    String log = log();
    node.post("/invoke/test.gd/effect", json(log)).asAdmin().send();
    node.post("/invoke/test.gd/effect", json(log)).asAdmin().send();
    assertThat(runs(log)).isEqualTo(2);
  }

  @Test
  void keysAreScopedToTheirUser() throws IOException {
    String log = log();
    node.post("/invoke/test.gd/effect", json(log)).asAdmin().header("Idempotency-Key", "shared").send();
    Reply bob = node.post("/invoke/test.gd/effect", json(log)).basic("bob", "bob-password-1").header("Idempotency-Key", "shared").send();
    assertThat(bob.status()).isEqualTo(200);
    assertThat(bob.header("Idempotent-Replayed")).isEmpty();
    assertThat(runs(log)).isEqualTo(2);
  }

  @Test
  void theSameKeyWithAnotherBodyIs422AndDoesNotRun() throws IOException {
    String log = log();
    node.post("/invoke/test.gd/effect", json(log)).asAdmin().header("Idempotency-Key", "k-body").send();
    Reply other = node.post("/invoke/test.gd/effect", "{\"log\":\"" + log + "\",\"x\":1}").asAdmin().header("Idempotency-Key", "k-body").send();
    Reply otherService = node.post("/invoke/test.echo/echo", json(log)).asAdmin().header("Idempotency-Key", "k-body").send();

    assertThat(other.status()).isEqualTo(422);
    assertThat(other.errorCode()).isEqualTo("COH-GD-MISMATCH");
    assertThat(other.body()).contains("this Idempotency-Key was first used with another request body");
    assertThat(otherService.body()).contains("first used for test.gd:effect");
    assertThat(otherService.status()).isEqualTo(422);
    assertThat(runs(log)).isEqualTo(1);
  }

  @Test
  void aRetryWhileTheFirstCallStillRunsIs409() throws Exception {
    String log = log();
    Path gate = dir.resolve("gate-" + UUID.randomUUID());
    String body = "{\"log\":\"" + log + "\",\"gate\":\"" + gate + "\"}";
    CompletableFuture<Reply> first =
        CompletableFuture.supplyAsync(
            () -> node.post("/invoke/test.gd/effect", body).asAdmin().header("Idempotency-Key", "k-slow").send());
    await().atMost(Duration.ofSeconds(20)).until(() -> runs(log) == 1);

    Reply retry = node.post("/invoke/test.gd/effect", body).asAdmin().header("Idempotency-Key", "k-slow").send();
    assertThat(retry.status()).isEqualTo(409);
    assertThat(retry.errorCode()).isEqualTo("COH-GD-RUNNING");

    Files.writeString(gate, "open");
    assertThat(first.get().status()).isEqualTo(200);
    Reply after = node.post("/invoke/test.gd/effect", body).asAdmin().header("Idempotency-Key", "k-slow").send();
    assertThat(after.status()).isEqualTo(200);
    assertThat(after.header("Idempotent-Replayed")).hasValue("true");
    assertThat(runs(log)).isEqualTo(1);
  }

  @Test
  void aFailedCallIsReplayedWithItsErrorAndNotRunAgain() throws IOException {
    String log = log();
    String body = "{\"log\":\"" + log + "\",\"fail\":true}";
    Reply first = node.post("/invoke/test.gd/effect", body).asAdmin().header("Idempotency-Key", "k-fail").send();
    Reply second = node.post("/invoke/test.gd/effect", body).asAdmin().header("Idempotency-Key", "k-fail").send();

    assertThat(first.status()).isEqualTo(500);
    assertThat(first.errorCode()).isEqualTo("COH-SERVICE-FAILED");
    assertThat(second.status()).isEqualTo(500);
    assertThat(second.errorCode()).isEqualTo("COH-SERVICE-FAILED");
    assertThat(second.header("Idempotent-Replayed")).hasValue("true");
    assertThat(second.header("X-Cohort-Tx-State")).hasValue("FAILED");
    assertThat(runs(log)).isEqualTo(1);
  }

  @Test
  void anonymousCallersCannotUseKeys() {
    Reply reply = node.post("/invoke/test.open/ping", "{}").header("Idempotency-Key", "anon").send();
    assertThat(reply.status()).isEqualTo(401);
  }

  // ------------------------------------------------------------------ transactional protocol

  @Test
  void startInvokeReplayEnd() throws IOException {
    String log = log();
    Reply started = node.post("/gd/tx", "{\"ttlSeconds\":60,\"retries\":2}").asAdmin().send();
    assertThat(started.status()).isEqualTo(201);
    String tid = started.json().path("tid").asText();
    assertThat(started.json().path("state").asText()).isEqualTo("NEW");
    assertThat(started.json().path("retriesLeft").asInt()).isEqualTo(2);

    Reply first = node.post("/gd/tx/" + tid + "/invoke/test.gd/effect", json(log)).asAdmin().send();
    Reply again = node.post("/gd/tx/" + tid + "/invoke/test.gd/effect", json(log)).asAdmin().send();
    assertThat(first.status()).isEqualTo(200);
    assertThat(first.header("X-Cohort-Tx-State")).hasValue("DONE");
    assertThat(again.body()).isEqualTo(first.body());
    assertThat(again.header("Idempotent-Replayed")).hasValue("true");
    assertThat(runs(log)).isEqualTo(1);

    Reply status = node.get("/gd/tx/" + tid).asAdmin().send();
    assertThat(status.json().path("state").asText()).isEqualTo("DONE");
    assertThat(status.json().path("result").path("runs").asLong()).isEqualTo(1);
    assertThat(status.json().path("attempts").asInt()).isEqualTo(1);

    assertThat(node.admin("DELETE", "/gd/tx/" + tid, null).asAdmin().send().status()).isEqualTo(404); // only on the primary port
    assertThat(node.delete("/gd/tx/" + tid).asAdmin().send().status()).isEqualTo(204);
    assertThat(node.delete("/gd/tx/" + tid).asAdmin().send().status()).isEqualTo(204);
    Reply gone = node.post("/gd/tx/" + tid + "/invoke/test.gd/effect", json(log)).asAdmin().send();
    assertThat(gone.status()).isEqualTo(404);
    assertThat(gone.errorCode()).isEqualTo("COH-GD-UNKNOWN");
    assertThat(runs(log)).isEqualTo(1);
  }

  @Test
  void startingWithTheClientsTidIsIdempotent() {
    String tid = "client-" + UUID.randomUUID();
    Reply first = node.post("/gd/tx", "{\"tid\":\"" + tid + "\"}").asAdmin().send();
    Reply second = node.post("/gd/tx", "{\"tid\":\"" + tid + "\"}").asAdmin().send();
    Reply bob = node.post("/gd/tx", "{\"tid\":\"" + tid + "\"}").basic("bob", "bob-password-1").send();
    Reply bad = node.post("/gd/tx", "{\"tid\":\"has space\"}").asAdmin().send();

    assertThat(first.status()).isEqualTo(201);
    assertThat(second.status()).isEqualTo(200);
    assertThat(second.json().path("tid").asText()).isEqualTo(tid);
    assertThat(bob.status()).isEqualTo(409);
    assertThat(bad.status()).isEqualTo(400);
  }

  @Test
  void anotherUsersTransactionDoesNotExistForYou() throws IOException {
    String tid = node.post("/gd/tx", "{}").asAdmin().send().json().path("tid").asText();
    String log = log();
    Reply bobInvoke = node.post("/gd/tx/" + tid + "/invoke/test.gd/effect", json(log)).basic("bob", "bob-password-1").send();
    Reply bobStatus = node.get("/gd/tx/" + tid).basic("bob", "bob-password-1").send();
    assertThat(bobInvoke.status()).isEqualTo(404);
    assertThat(bobStatus.status()).isEqualTo(404);
    assertThat(runs(log)).isZero();
  }

  @Test
  void submitRunsInTheBackgroundAndStatusWaitsForTheResult() throws IOException {
    String log = log();
    Path gate = dir.resolve("gate-" + UUID.randomUUID());
    String tid = node.post("/gd/tx", "{}").asAdmin().send().json().path("tid").asText();
    String body = "{\"log\":\"" + log + "\",\"gate\":\"" + gate + "\"}";

    Reply submitted = node.post("/gd/tx/" + tid + "/submit/test.gd/effect", body).asAdmin().send();
    assertThat(submitted.status()).isEqualTo(202);
    assertThat(submitted.json().path("state").asText()).isEqualTo("PENDING");
    Reply resubmitted = node.post("/gd/tx/" + tid + "/submit/test.gd/effect", body).asAdmin().send();
    assertThat(resubmitted.status()).isEqualTo(202);

    Reply notYet = node.get("/gd/tx/" + tid + "?waitMillis=100").asAdmin().send();
    assertThat(notYet.json().path("state").asText()).isEqualTo("PENDING");
    Files.writeString(gate, "open");
    Reply done = node.get("/gd/tx/" + tid + "?waitMillis=20000").asAdmin().send();
    assertThat(done.json().path("state").asText()).isEqualTo("DONE");
    assertThat(done.json().path("result").path("runs").asLong()).isEqualTo(1);
    assertThat(runs(log)).isEqualTo(1);
  }

  @Test
  void sendKeepsNoResultButStillDeduplicates() throws IOException {
    String log = log();
    String tid = node.post("/gd/tx", "{}").asAdmin().send().json().path("tid").asText();
    node.post("/gd/tx/" + tid + "/submit/test.gd/effect?end=true", json(log)).asAdmin().send();
    Reply done = node.get("/gd/tx/" + tid + "?waitMillis=20000").asAdmin().send();
    node.post("/gd/tx/" + tid + "/submit/test.gd/effect?end=true", json(log)).asAdmin().send();

    assertThat(done.json().path("state").asText()).isEqualTo("DONE");
    assertThat(done.json().has("result")).isFalse();
    assertThat(runs(log)).isEqualTo(1);
  }

  @Test
  void aFailedTransactionCanBeRestartedAndThenRunsAgain() throws IOException {
    String log = log();
    String tid = node.post("/gd/tx", "{}").asAdmin().send().json().path("tid").asText();
    String failing = "{\"log\":\"" + log + "\",\"fail\":true}";
    assertThat(node.post("/gd/tx/" + tid + "/invoke/test.gd/effect", failing).asAdmin().send().status()).isEqualTo(500);
    Reply status = node.get("/gd/tx/" + tid).asAdmin().send();
    assertThat(status.json().path("state").asText()).isEqualTo("FAILED");
    assertThat(status.json().path("error").path("code").asText()).isEqualTo("COH-SERVICE-FAILED");

    Reply restarted = node.post("/gd/tx/" + tid + "/restart", "").asAdmin().send();
    assertThat(restarted.status()).isEqualTo(200);
    assertThat(restarted.json().path("state").asText()).isEqualTo("NEW");
    assertThat(node.post("/gd/tx/" + tid + "/invoke/test.gd/effect", failing).asAdmin().send().status()).isEqualTo(500);
    assertThat(runs(log)).isEqualTo(2);

    String doneTid = node.post("/gd/tx", "{}").asAdmin().send().json().path("tid").asText();
    node.post("/gd/tx/" + doneTid + "/invoke/test.gd/effect", json(log())).asAdmin().send();
    Reply refused = node.post("/gd/tx/" + doneTid + "/restart", "").asAdmin().send();
    assertThat(refused.status()).isEqualTo(409);
    assertThat(refused.errorCode()).isEqualTo("COH-GD-STATE");
  }

  @Test
  void theServicesTransactionalWorkCommitsWithTheResultAndRollsBackWithAFailure() {
    String ref = "r-" + UUID.randomUUID();
    String tid = node.post("/gd/tx", "{}").asAdmin().send().json().path("tid").asText();
    Reply ok = node.post("/gd/tx/" + tid + "/invoke/test.gd/ledger", "{\"ref\":\"" + ref + "\"}").asAdmin().send();
    node.post("/gd/tx/" + tid + "/invoke/test.gd/ledger", "{\"ref\":\"" + ref + "\"}").asAdmin().send();
    assertThat(ok.status()).isEqualTo(200);
    assertThat(rows(ref)).isEqualTo(1);

    String failedRef = "f-" + UUID.randomUUID();
    Reply failed =
        node.post("/invoke/test.gd/ledger", "{\"ref\":\"" + failedRef + "\",\"fail\":true}").asAdmin().send();
    assertThat(failed.status()).isEqualTo(500);
    assertThat(rows(failedRef)).isZero();
  }

  @Test
  void aServiceCannotCommitTheCallsConnectionItself() {
    Reply reply = node.post("/invoke/test.gd/selfCommit", "{}").asAdmin().send();
    assertThat(reply.status()).isEqualTo(500);
  }

  @Test
  void expiredTransactionsDoNotRun() throws IOException {
    String log = log();
    Reply started = node.post("/gd/tx", "{\"ttlSeconds\":1}").asAdmin().send();
    String tid = started.json().path("tid").asText();
    java.time.Instant expiresAt = java.time.Instant.parse(started.json().path("expiresAt").asText());
    await().atMost(Duration.ofSeconds(20)).until(() -> java.time.Instant.now().isAfter(expiresAt.plusMillis(200)));
    Reply expired = node.post("/gd/tx/" + tid + "/invoke/test.gd/effect", json(log)).asAdmin().send();
    assertThat(expired.status()).isIn(404, 410);
    assertThat(runs(log)).isZero();
  }

  @Test
  void aRetryOfARunningExactlyOnceCallIs409AndTheWorkIsDoneOnce() throws Exception {
    String ref = "slow-" + UUID.randomUUID();
    Path gate = dir.resolve("gate-" + UUID.randomUUID());
    String log = log();
    String body = "{\"ref\":\"" + ref + "\",\"log\":\"" + log + "\",\"gate\":\"" + gate + "\"}";
    String key = "k-" + ref;
    CompletableFuture<Reply> first =
        CompletableFuture.supplyAsync(
            () -> node.post("/invoke/test.gd/ledger", body).asAdmin().header("Idempotency-Key", key).send());
    await().atMost(Duration.ofSeconds(20)).until(() -> runs(log) == 1);

    long asked = System.nanoTime();
    Reply retry = node.post("/invoke/test.gd/ledger", body).asAdmin().header("Idempotency-Key", key).send();
    assertThat(retry.status()).isEqualTo(409);
    assertThat(retry.errorCode()).isEqualTo("COH-GD-RUNNING");
    // It answered without waiting for the running call (the gate stays shut for 30 s).
    assertThat(Duration.ofNanos(System.nanoTime() - asked)).isLessThan(Duration.ofSeconds(15));

    Files.writeString(gate, "open");
    assertThat(first.get().status()).isEqualTo(200);
    Reply after = node.post("/invoke/test.gd/ledger", body).asAdmin().header("Idempotency-Key", key).send();
    assertThat(after.status()).isEqualTo(200);
    assertThat(after.header("Idempotent-Replayed")).hasValue("true");
    assertThat(runs(log)).isEqualTo(1);
    assertThat(rows(ref)).isEqualTo(1);
  }

  @Test
  void aFailedExactlyOnceCallIsReplayedWithItsErrorAndItsWorkRolledBack() throws IOException {
    String ref = "fail-" + UUID.randomUUID();
    String log = log();
    String body = "{\"ref\":\"" + ref + "\",\"log\":\"" + log + "\",\"fail\":true}";
    Reply failed = node.post("/invoke/test.gd/ledger", body).asAdmin().header("Idempotency-Key", "k-" + ref).send();
    assertThat(failed.status()).isEqualTo(500);
    assertThat(failed.header("X-Cohort-Tx-State")).hasValue("FAILED");
    Reply replayed = node.post("/invoke/test.gd/ledger", body).asAdmin().header("Idempotency-Key", "k-" + ref).send();
    assertThat(replayed.status()).isEqualTo(500);
    assertThat(replayed.header("Idempotent-Replayed")).hasValue("true");
    assertThat(replayed.errorCode()).isEqualTo(failed.errorCode());
    assertThat(runs(log)).isEqualTo(1);
    assertThat(rows(ref)).isZero();
  }

  @Test
  void anInvokeWithStartTrueStartsItsTransactionInTheSameRequest() {
    String ref = "start-" + UUID.randomUUID();
    String tid = "tx-" + UUID.randomUUID();
    String path = "/gd/tx/" + tid + "/invoke/test.gd/ledger?start=true&ttlSeconds=120&retries=2";
    Reply first = node.post(path, "{\"ref\":\"" + ref + "\"}").asAdmin().send();
    assertThat(first.status()).isEqualTo(200);
    assertThat(first.header("X-Cohort-Tx-State")).hasValue("DONE");
    Reply again = node.post(path, "{\"ref\":\"" + ref + "\"}").asAdmin().send();
    assertThat(again.status()).isEqualTo(200);
    assertThat(again.header("Idempotent-Replayed")).hasValue("true");
    assertThat(rows(ref)).isEqualTo(1);

    Reply status = node.get("/gd/tx/" + tid).asAdmin().send();
    assertThat(status.json().path("state").asText()).isEqualTo("DONE");
    assertThat(status.json().path("retriesLeft").asInt()).isEqualTo(2);
    assertThat(java.time.Instant.parse(status.json().path("expiresAt").asText()))
        .isBetween(java.time.Instant.now().plusSeconds(60), java.time.Instant.now().plusSeconds(180));

    // Without start=true an unknown tid is still unknown.
    Reply unknown = node.post("/gd/tx/tx-" + UUID.randomUUID() + "/invoke/test.gd/ledger", "{\"ref\":\"" + ref + "\"}").asAdmin().send();
    assertThat(unknown.status()).isEqualTo(404);
    assertThat(node.post(path.replace("retries=2", "retries=x"), "{}").asAdmin().send().status()).isEqualTo(400);
    assertThat(rows(ref)).isEqualTo(1);
  }

  @Test
  void severalTransactionsEndInOneRequest() {
    List<String> tids = new java.util.ArrayList<>();
    for (int i = 0; i < 3; i++) {
      String tid = "tx-" + UUID.randomUUID();
      tids.add(tid);
      Reply done =
          node.post("/gd/tx/" + tid + "/invoke/test.gd/ledger?start=true", "{\"ref\":\"end-" + tid + "\"}").asAdmin().send();
      assertThat(done.status()).isEqualTo(200);
    }
    String never = "tx-" + UUID.randomUUID();
    Reply ended = node.delete("/gd/tx?tids=" + String.join(",", tids) + "," + never).asAdmin().send();
    assertThat(ended.status()).isEqualTo(204);
    for (String tid : tids) {
      assertThat(node.get("/gd/tx/" + tid).asAdmin().send().status()).isEqualTo(404);
    }
    assertThat(node.delete("/gd/tx").asAdmin().send().status()).isEqualTo(400);
    assertThat(node.delete("/gd/tx?tids=bad%20tid").asAdmin().send().status()).isEqualTo(400);
  }

  private long rows(String ref) {
    return node.post("/invoke/test.gd/ledgerRows", "{\"ref\":\"" + ref + "\"}").asAdmin().send().json().path("rows").asLong();
  }
}
