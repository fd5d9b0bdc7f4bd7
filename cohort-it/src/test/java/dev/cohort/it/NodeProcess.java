package dev.cohort.it;

import dev.cohort.server.testing.TestGrids;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/** A Cohort node in its own JVM, started from the packaged CLI like an operator would. */
final class NodeProcess implements AutoCloseable {

  static final Path REPO = repoRoot();

  final String name;
  final int port;
  final int adminPort;
  private final Path dataDir;
  private final Map<String, String> settings;
  private final Map<String, String> env;
  private final Process process;
  private final List<String> output = new CopyOnWriteArrayList<>();

  private NodeProcess(
      String name,
      int port,
      int adminPort,
      Path dataDir,
      Map<String, String> settings,
      Map<String, String> env,
      Process process) {
    this.name = name;
    this.port = port;
    this.adminPort = adminPort;
    this.dataDir = dataDir;
    this.settings = Map.copyOf(settings);
    this.env = Map.copyOf(env);
    this.process = process;
    Thread.ofPlatform().daemon().name("out-" + name).start(this::pump);
  }

  static NodeProcess start(String name, Path dataDir, Map<String, String> settings, Map<String, String> env)
      throws IOException {
    return launch(name, freePort(), freePort(), dataDir, settings, env);
  }

  /**
   * Starts this node again, as an operator would after a crash: same name, ports, data directory,
   * settings and environment. This process must have ended.
   */
  NodeProcess restart() throws IOException {
    if (process.isAlive()) {
      throw new IllegalStateException("node " + name + " is still running (pid " + process.pid() + ")");
    }
    return launch(name, port, adminPort, dataDir, settings, env);
  }

  private static NodeProcess launch(
      String name,
      int port,
      int adminPort,
      Path dataDir,
      Map<String, String> settings,
      Map<String, String> env)
      throws IOException {
    List<String> command = new ArrayList<>();
    command.add(ProcessHandle.current().info().command().orElse("java"));
    command.add("-Xmx256m");
    // Test JVMs on a small machine: the C1 compiler only and one GC thread take much less CPU
    // while three nodes start side by side; the code under test is the same.
    command.add("-XX:TieredStopAtLevel=1");
    command.add("-XX:+UseSerialGC");
    command.add("-jar");
    command.add(REPO.resolve("cohort-cli/target/cohort-cli.jar").toString());
    command.add("start");
    command.add("--port");
    command.add(Integer.toString(port));
    command.add("--admin-port");
    command.add(Integer.toString(adminPort));
    command.add("--data-dir");
    command.add(dataDir.toString());
    command.add("--set");
    command.add("node.name=" + name);
    command.add("--set");
    command.add("http.host=127.0.0.1");
    command.add("--set");
    command.add("packages.dir=" + REPO.resolve("packages"));
    settings.forEach((k, v) -> {
      command.add("--set");
      command.add(k + "=" + v);
    });
    ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
    pb.environment().putAll(env);
    return new NodeProcess(name, port, adminPort, dataDir, settings, env, pb.start());
  }

  private void pump() {
    try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
      String line;
      while ((line = r.readLine()) != null) {
        output.add(line);
      }
    } catch (IOException e) {
      // the process ended
    }
  }

  boolean running() {
    return output.stream().anyMatch(l -> l.contains("is running:"));
  }

  boolean alive() {
    return process.isAlive();
  }

  String output() {
    return String.join("\n", output);
  }

  /**
   * SIGKILL: no shutdown hook, no goodbye to the cluster. Sent through the process handle, because
   * {@link Process#destroyForcibly()} also closes our end of the node's output pipe, losing its
   * last lines.
   *
   * @throws IllegalStateException if the process did not end by SIGKILL (exit status 128 + 9)
   */
  void kill() throws InterruptedException {
    process.toHandle().destroyForcibly();
    if (!process.waitFor(30, TimeUnit.SECONDS)) {
      throw new IllegalStateException("node " + name + " still runs 30 s after SIGKILL");
    }
    if (process.exitValue() != 128 + 9) {
      throw new IllegalStateException(
          "node " + name + " ended with status " + process.exitValue() + ", not by SIGKILL (137)");
    }
  }

  @Override
  public void close() throws InterruptedException {
    if (process.isAlive()) {
      process.toHandle().destroy();
      if (!process.waitFor(30, TimeUnit.SECONDS)) {
        process.destroyForcibly();
      }
    }
  }

  /** A port to listen on that nothing else takes before the node binds it (see {@link TestGrids#listenPort}). */
  static int freePort() {
    return TestGrids.listenPort();
  }

  private static Path repoRoot() {
    Path p = Path.of("").toAbsolutePath();
    while (p != null && !Files.exists(p.resolve("mvnw"))) {
      p = p.getParent();
    }
    return p;
  }
}
