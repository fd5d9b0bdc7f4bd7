package dev.cohort.it;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.ServerSocket;
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
  private final Process process;
  private final List<String> output = new CopyOnWriteArrayList<>();

  private NodeProcess(String name, int port, int adminPort, Process process) {
    this.name = name;
    this.port = port;
    this.adminPort = adminPort;
    this.process = process;
    Thread.ofPlatform().daemon().name("out-" + name).start(this::pump);
  }

  static NodeProcess start(String name, Path dataDir, Map<String, String> settings, Map<String, String> env)
      throws IOException {
    int port = freePort();
    int adminPort = freePort();
    List<String> command = new ArrayList<>();
    command.add(ProcessHandle.current().info().command().orElse("java"));
    command.add("-Xmx256m");
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
    return new NodeProcess(name, port, adminPort, pb.start());
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

  /** SIGKILL: no shutdown hook, no goodbye to the cluster. */
  void kill() throws InterruptedException {
    process.destroyForcibly();
    process.waitFor(30, TimeUnit.SECONDS);
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

  static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  private static Path repoRoot() {
    Path p = Path.of("").toAbsolutePath();
    while (p != null && !Files.exists(p.resolve("mvnw"))) {
      p = p.getParent();
    }
    return p;
  }
}
