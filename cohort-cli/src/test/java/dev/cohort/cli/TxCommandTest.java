package dev.cohort.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cohort.server.testing.TestNode;
import dev.cohort.server.testing.TestPackages;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/** cohort tx list|show|resubmit|end against a real node holding a FAILED transaction. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class TxCommandTest {

  TestNode node;
  String admin;
  Path passwordFile;
  final Cli cli = new Cli();

  @BeforeAll
  void start(@TempDir Path dir) throws IOException {
    // The Samples package as built in this checkout: placeOrder with a bad input fails.
    Path packages =
        TestPackages.copy(Path.of("..", "packages", "Samples").toAbsolutePath().normalize(), dir.resolve("packages"));
    node = TestNode.builder(dir.resolve("data"), packages).start();
    admin = "http://127.0.0.1:" + node.node().adminPort();
    passwordFile = Files.writeString(dir.resolve("pw"), TestNode.ADMIN_PASSWORD + "\n");
  }

  @AfterAll
  void stop() {
    node.close();
  }

  private String failedTransaction() {
    String tid = node.post("/gd/tx", "{}").asAdmin().send().json().path("tid").asText();
    assertThat(node.post("/gd/tx/" + tid + "/invoke/samples.orders/placeOrder", "{\"sku\":\"\"}").asAdmin().send().status())
        .isEqualTo(400);
    return tid;
  }

  private int run(String... args) {
    String[] all = new String[args.length + 4];
    System.arraycopy(args, 0, all, 0, args.length);
    all[args.length] = "--admin";
    all[args.length + 1] = admin;
    all[args.length + 2] = "--password-file";
    all[args.length + 3] = passwordFile.toString();
    return cli.run(all);
  }

  @Test
  void listsFiltersShowsResubmitsAndEnds() {
    String tid = failedTransaction();

    assertThat(run("tx", "list", "--state", "failed")).isZero();
    assertThat(cli.out()).contains("FAILED 1").contains(tid).contains("samples.orders:placeOrder").contains("Administrator");

    assertThat(run("tx", "list", "--state", "done")).isZero();
    assertThat(cli.out()).doesNotContain(tid).contains("(none match)");

    assertThat(run("tx", "show", tid)).isZero();
    assertThat(cli.out()).contains("\"state\" : \"FAILED\"").contains("COH-INVALID-INPUT").contains("\"input\"")
        .contains("\"attempts\" : 1");

    assertThat(run("tx", "resubmit", tid)).isZero();
    assertThat(cli.out()).contains("transaction " + tid + " resubmitted");
    // The resubmitted attempt runs in the background on the node, and fails again.
    org.awaitility.Awaitility.await()
        .atMost(java.time.Duration.ofSeconds(20))
        .until(() -> run("tx", "show", tid) == 0
            && cli.out().contains("\"attempts\" : 2") && cli.out().contains("\"state\" : \"FAILED\""));

    assertThat(run("tx", "end", tid)).isZero();
    assertThat(cli.out()).contains("transaction " + tid + " ended");
    assertThat(run("tx", "show", tid)).isEqualTo(1);
    assertThat(cli.err()).contains("404");
  }

  @Test
  void aBadStateIsAClearError() {
    assertThat(run("tx", "list", "--state", "lost")).isEqualTo(1);
    assertThat(cli.err()).startsWith("cohort tx list: ").contains("400").contains("state 'lost'");
  }
}
