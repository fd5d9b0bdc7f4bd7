package dev.cohort.server.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cohort.server.testing.TestNode;
import dev.cohort.server.testing.TestNode.Reply;
import dev.cohort.server.testing.TestPackages;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Many concurrent calls on one session that change the same attribute: every call either saved
 * its change or was told with 409 — never a silent lost update.
 */
class ConcurrentSessionHttpTest {

  @Test
  void concurrentWritesToOneAttributeAreNeverSilentlyLost(@TempDir Path dir) throws Exception {
    try (TestNode node = TestNode.builder(dir.resolve("data"), TestPackages.deployTest(dir.resolve("p"))).start()) {
      String id = node.post("/invoke/test.session/append", "{\"item\":\"seed\"}").asAdmin().send().sessionId();
      int calls = 400;
      List<Future<Reply>> replies = new ArrayList<>();
      try (ExecutorService pool = Executors.newFixedThreadPool(16)) {
        for (int i = 0; i < calls; i++) {
          String item = "i" + i;
          replies.add(pool.submit(() -> node.post("/invoke/test.session/append", "{\"item\":\"" + item + "\"}").session(id).send()));
        }
      }
      List<String> saved = new ArrayList<>();
      int conflicts = 0;
      for (int i = 0; i < calls; i++) {
        Reply r = replies.get(i).get();
        if (r.status() == 200) {
          saved.add("i" + i);
        } else {
          assertThat(r.status()).as(r.toString()).isEqualTo(409);
          assertThat(r.errorCode()).isEqualTo("COH-SESSION-CONFLICT");
          conflicts++;
        }
      }
      String log = node.post("/invoke/test.session/get", "{\"name\":\"log\"}").session(id).send().json().path("value").asText();
      List<String> stored = List.of(log.substring(1, log.length() - 1).split(", "));
      assertThat(stored).first().isEqualTo("seed");
      assertThat(stored.subList(1, stored.size()))
          .as("exactly the calls that got 200 are in the session (%d conflicts)", conflicts)
          .containsExactlyInAnyOrderElementsOf(saved);
    }
  }
}
