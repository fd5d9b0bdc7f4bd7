package dev.cohort.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cohort.server.testing.TestNode;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/** cohort cluster status / node offline|online against a real node. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ManagementCommandsTest {

  TestNode node;
  String admin;
  Path passwordFile;
  Path wrongPasswordFile;
  final Cli cli = new Cli();

  @BeforeAll
  void start(@TempDir Path dir) throws IOException {
    Files.createDirectories(dir.resolve("packages"));
    node = TestNode.builder(dir.resolve("data"), dir.resolve("packages")).set("node.name", "cli-node").start();
    admin = "http://127.0.0.1:" + node.node().adminPort();
    passwordFile = Files.writeString(dir.resolve("pw"), TestNode.ADMIN_PASSWORD + "\n");
    wrongPasswordFile = Files.writeString(dir.resolve("wrong"), "nope");
  }

  @AfterAll
  void stop() {
    node.close();
  }

  private int run(String... args) {
    return cli.run(args);
  }


  @Test
  void statusOfAStandaloneNode() {
    assertThat(run("cluster", "status", "--admin", admin, "--password-file", passwordFile.toString())).isZero();
    assertThat(cli.out()).contains("Standalone node").contains("cli-node").contains("ready").contains("1 of 1 member(s) serving");
    assertThat(cli.out()).as("no cache view outside a stateful cluster").doesNotContain("Cache view");
  }

  @Test
  void failoverActionOutsideAStatefulClusterIsAClearConflict() {
    assertThat(run("cluster", "failover-action", "--promote", "--admin", admin, "--password-file", passwordFile.toString()))
        .isEqualTo(1);
    assertThat(cli.err())
        .startsWith("cohort cluster failover-action: ")
        .contains("409 COH-CONFLICT")
        .contains("failover actions apply to stateful clusters; this node is not a member of one");
    assertThat(cli.out()).isEmpty();
  }

  @Test
  void offlineAndOnline() throws IOException {
    int port = node.node().port();
    assertThat(run("node", "offline", "--admin", admin, "--password-file", passwordFile.toString())).isZero();
    assertThat(cli.out()).contains("node cli-node is offline");
    assertThat(portOpen(port)).isFalse();
    assertThat(run("cluster", "status", "--admin", admin, "--password-file", passwordFile.toString()))
        .as("a member that does not serve makes status exit 3")
        .isEqualTo(3);
    assertThat(cli.out()).contains("offline");

    assertThat(run("node", "offline", "--admin", admin, "--password-file", passwordFile.toString())).isEqualTo(1);
    assertThat(cli.err()).contains("409").contains("not ready");

    assertThat(run("node", "online", "--admin", admin, "--password-file", passwordFile.toString())).isZero();
    assertThat(cli.out()).contains("node cli-node is ready");
    assertThat(portOpen(port)).isTrue();
  }

  @Test
  void refreshClearsAndShowsTheList() {
    assertThat(run("cluster", "refresh", "--admin", admin, "--password-file", passwordFile.toString())).isZero();
    assertThat(cli.out()).contains("Member list cleared.").contains("cli-node");
  }

  @Test
  void removeAndAddRecordTheOverride() {
    assertThat(run("node", "remove", "--admin", admin, "--password-file", passwordFile.toString())).isZero();
    assertThat(cli.out()).contains("removed");
    assertThat(run("node", "add", "--admin", admin, "--password-file", passwordFile.toString())).isZero();
    assertThat(cli.out()).contains("restart it to rejoin");
  }

  @Test
  void wrongPasswordAndUnreachableNodeAreClearErrors() throws IOException {
    assertThat(run("cluster", "status", "--admin", admin, "--password-file", wrongPasswordFile.toString())).isEqualTo(1);
    assertThat(cli.err()).contains("401 COH-UNAUTHENTICATED");

    int closed;
    try (ServerSocket s = new ServerSocket(0)) {
      closed = s.getLocalPort();
    }
    assertThat(run("cluster", "status", "--admin", "http://127.0.0.1:" + closed, "--password-file", passwordFile.toString()))
        .isEqualTo(1);
    assertThat(cli.err()).contains("cannot connect to http://127.0.0.1:" + closed);

    assertThat(run("cluster", "status", "--admin", "localhost:9999", "--password-file", passwordFile.toString()))
        .as("an --admin without http:// is an error message, not a stack trace")
        .isEqualTo(1);
    assertThat(cli.err())
        .contains("cohort cluster status: 'localhost:9999' is not a URL; give --admin like http://host:9999")
        .doesNotContain("Exception");
  }

  private static boolean portOpen(int port) {
    try (java.net.Socket s = new java.net.Socket("127.0.0.1", port)) {
      return true;
    } catch (IOException e) {
      return false;
    }
  }
}
