package dev.cohort.server.remote;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cohort.server.testing.TestNode;
import dev.cohort.server.testing.TestNode.Reply;
import dev.cohort.server.testing.TestPackages;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * pub.remote.gd:* from one node to another through a remote alias: the remote service runs once
 * per transaction however often the local side asks, and the local side can follow the
 * transaction to its end. Executions are counted by the remote service's effect (a file).
 */
class RemoteGdTest {

  @TempDir Path dir;
  TestNode remote;
  TestNode local;

  @BeforeEach
  void start() throws IOException {
    remote =
        TestNode.builder(dir.resolve("remote"), TestPackages.deployTest(dir.resolve("packages")))
            .set("node.name", "remote")
            .start();
    Path password = Files.writeString(dir.resolve("far-password"), TestNode.ADMIN_PASSWORD + "\n");
    local =
        TestNode.builder(dir.resolve("local"), dir.resolve("packages"))
            .set("node.name", "local")
            .set("remote.aliases.far.url", remote.url("/").toString())
            .set("remote.aliases.far.user", "Administrator")
            .set("remote.aliases.far.password", "file:" + password)
            .start();
  }

  @AfterEach
  void stop() {
    local.close();
    remote.close();
  }

  private Reply call(String operation, String json) {
    return local.post("/invoke/pub.remote.gd/" + operation, json).asAdmin().send();
  }

  private long runs(Path log) throws IOException {
    return Files.exists(log) ? Files.readAllLines(log).size() : 0;
  }

  @Test
  void startInvokeRetrieveStatusEnd() throws IOException {
    Path log = dir.resolve("effects.log");
    Reply started = call("start", "{\"$alias\":\"far\",\"$ttl\":600,\"$retries\":2}");
    assertThat(started.status()).as(started.toString()).isEqualTo(200);
    String tid = started.json().path("tid").asText();

    String invoke = "{\"$alias\":\"far\",\"$tid\":\"" + tid + "\",\"$service\":\"test.gd:effect\",\"log\":\"" + log + "\"}";
    Reply first = call("invoke", invoke);
    Reply again = call("invoke", invoke);
    assertThat(first.status()).as(first.toString()).isEqualTo(200);
    assertThat(first.json().path("runs").asLong()).isEqualTo(1);
    assertThat(again.json().path("runs").asLong()).isEqualTo(1);
    assertThat(runs(log)).isEqualTo(1);

    Reply retrieved = call("retrieve", "{\"$alias\":\"far\",\"$tid\":\"" + tid + "\"}");
    assertThat(retrieved.json().path("state").asText()).isEqualTo("DONE");
    assertThat(retrieved.json().path("result").path("runs").asLong()).isEqualTo(1);
    Reply status = call("getStatus", "{\"$alias\":\"far\",\"$tid\":\"" + tid + "\"}");
    assertThat(status.json().path("state").asText()).isEqualTo("DONE");
    assertThat(status.json().path("attempts").asInt()).isEqualTo(1);

    assertThat(call("end", "{\"$alias\":\"far\",\"$tid\":\"" + tid + "\"}").status()).isEqualTo(200);
    assertThat(remote.get("/gd/tx/" + tid).asAdmin().send().status()).as("ended on the remote side").isEqualTo(404);
    assertThat(Files.list(dir.resolve("local/gd-remote"))).as("the alias's job log").isNotEmpty();
  }

  @Test
  void submitThenRetrieveAndSend() throws IOException {
    Path log = dir.resolve("submitted.log");
    String tid = call("start", "{\"$alias\":\"far\"}").json().path("tid").asText();
    Reply submitted =
        call("submit", "{\"$alias\":\"far\",\"$tid\":\"" + tid + "\",\"$service\":\"test.gd:effect\",\"log\":\"" + log + "\"}");
    assertThat(submitted.status()).as(submitted.toString()).isEqualTo(200);
    Reply retrieved = call("retrieve", "{\"$alias\":\"far\",\"$tid\":\"" + tid + "\",\"$block\":true}");
    assertThat(retrieved.json().path("state").asText()).isEqualTo("DONE");
    assertThat(runs(log)).isEqualTo(1);

    Path sent = dir.resolve("sent.log");
    Reply send = call("send", "{\"$alias\":\"far\",\"$service\":\"test.gd:effect\",\"log\":\"" + sent + "\"}");
    assertThat(send.status()).as(send.toString()).isEqualTo(200);
    String sentTid = send.json().path("tid").asText();
    Reply sentStatus = remote.get("/gd/tx/" + sentTid + "?waitMillis=20000").asAdmin().send();
    assertThat(sentStatus.json().path("state").asText()).isEqualTo("DONE");
    assertThat(runs(sent)).isEqualTo(1);
  }

  @Test
  void aFailedRemoteTransactionIsAServiceErrorAndBadInputIs400() {
    String tid = call("start", "{\"$alias\":\"far\"}").json().path("tid").asText();
    Reply failed =
        call("invoke", "{\"$alias\":\"far\",\"$tid\":\"" + tid + "\",\"$service\":\"test.gd:effect\",\"fail\":true}");
    assertThat(failed.status()).isEqualTo(500);
    assertThat(failed.body()).contains("asked to fail");

    assertThat(call("invoke", "{\"$alias\":\"nowhere\",\"$tid\":\"x\",\"$service\":\"a:b\"}").status()).isEqualTo(400);
    assertThat(call("invoke", "{\"$alias\":\"far\",\"$service\":\"a:b\"}").status()).isEqualTo(400);
    Reply bob = local.post("/invoke/pub.remote.gd/start", "{\"$alias\":\"far\"}").send();
    assertThat(bob.status()).as("Administrators only by default").isIn(401, 403);
  }
}
