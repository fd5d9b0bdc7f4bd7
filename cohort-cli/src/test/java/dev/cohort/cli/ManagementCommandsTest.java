package dev.cohort.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cohort.server.testing.TestNode;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** cohort cluster status / node offline|online against a real node. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ManagementCommandsTest {

  TestNode node;
  String admin;
  Path passwordFile;
  Path wrongPasswordFile;
  final StringWriter out = new StringWriter();
  final StringWriter err = new StringWriter();

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
    out.getBuffer().setLength(0);
    err.getBuffer().setLength(0);
    CommandLine cli = Main.commandLine();
    cli.setOut(new PrintWriter(out, true));
    cli.setErr(new PrintWriter(err, true));
    return cli.execute(args);
  }

  @Test
  void statusOfAStandaloneNode() {
    assertThat(run("cluster", "status", "--admin", admin, "--password-file", passwordFile.toString())).isZero();
    assertThat(out.toString()).contains("Standalone node").contains("cli-node").contains("ready").contains("1 of 1 member(s) serving");
  }

  @Test
  void offlineAndOnline() throws IOException {
    int port = node.node().port();
    assertThat(run("node", "offline", "--admin", admin, "--password-file", passwordFile.toString())).isZero();
    assertThat(out.toString()).contains("node cli-node is offline");
    assertThat(portOpen(port)).isFalse();
    assertThat(run("cluster", "status", "--admin", admin, "--password-file", passwordFile.toString()))
        .as("a member that does not serve makes status exit 3")
        .isEqualTo(3);
    assertThat(out.toString()).contains("offline");

    assertThat(run("node", "offline", "--admin", admin, "--password-file", passwordFile.toString())).isEqualTo(1);
    assertThat(err.toString()).contains("409").contains("not ready");

    assertThat(run("node", "online", "--admin", admin, "--password-file", passwordFile.toString())).isZero();
    assertThat(out.toString()).contains("node cli-node is ready");
    assertThat(portOpen(port)).isTrue();
  }

  @Test
  void refreshClearsAndShowsTheList() {
    assertThat(run("cluster", "refresh", "--admin", admin, "--password-file", passwordFile.toString())).isZero();
    assertThat(out.toString()).contains("Member list cleared.").contains("cli-node");
  }

  @Test
  void removeAndAddRecordTheOverride() {
    assertThat(run("node", "remove", "--admin", admin, "--password-file", passwordFile.toString())).isZero();
    assertThat(out.toString()).contains("removed");
    assertThat(run("node", "add", "--admin", admin, "--password-file", passwordFile.toString())).isZero();
    assertThat(out.toString()).contains("restart it to rejoin");
  }

  @Test
  void wrongPasswordAndUnreachableNodeAreClearErrors() throws IOException {
    assertThat(run("cluster", "status", "--admin", admin, "--password-file", wrongPasswordFile.toString())).isEqualTo(1);
    assertThat(err.toString()).contains("401 COH-UNAUTHENTICATED");

    int closed;
    try (ServerSocket s = new ServerSocket(0)) {
      closed = s.getLocalPort();
    }
    assertThat(run("cluster", "status", "--admin", "http://127.0.0.1:" + closed, "--password-file", passwordFile.toString()))
        .isEqualTo(1);
    assertThat(err.toString()).contains("cannot connect to http://127.0.0.1:" + closed);
  }

  private static boolean portOpen(int port) {
    try (java.net.Socket s = new java.net.Socket("127.0.0.1", port)) {
      return true;
    } catch (IOException e) {
      return false;
    }
  }
}
