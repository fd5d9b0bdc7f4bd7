package dev.cohort.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A Cohort node in its own JVM, started from the packaged CLI ({@code java -jar cohort-cli.jar
 * start}) as an operator would, on ports it picks itself. Its console output is kept with the
 * time each line arrived, so that a benchmark can tell when the node logged something (a view
 * change, say) on the same clock it measures with. {@link #kill} is a real SIGKILL.
 */
final class NodeProcess implements AutoCloseable {

  /**
   * How node processes are started.
   *
   * @param java the java executable (the benchmark's own)
   * @param cliJar {@code cohort-cli/target/cohort-cli.jar}, its libraries in {@code lib/} beside it
   * @param jvmOptions options for every node JVM
   */
  record Launcher(Path java, Path cliJar, List<String> jvmOptions) {

    Launcher {
      jvmOptions = List.copyOf(jvmOptions);
      if (!Files.isRegularFile(cliJar)) {
        throw new BenchException(
            "no node launcher at " + cliJar + "; run ./mvnw -q -B -DskipTests package first (in"
                + " the repository root)");
      }
    }

    /** The java executable of this JVM. */
    static Path currentJava() {
      return Path.of(ProcessHandle.current().info().command().orElse("java"));
    }
  }

  /** One line of console output and when it arrived ({@link System#nanoTime}). */
  record Line(long nanos, String text) {}

  private static final Pattern RUNNING =
      Pattern.compile(
          "Cohort node \\S+ is running: http://localhost:([0-9]+)/ +\\(admin: http://localhost:([0-9]+)/");
  private static final Duration START_TIMEOUT = Duration.ofMinutes(3);

  private final String name;
  private final Process process;
  private final List<Line> output = new CopyOnWriteArrayList<>();
  private volatile int port;
  private volatile int adminPort;
  private final CompletableFuture<Matcher> started = new CompletableFuture<>();

  private NodeProcess(String name, Process process) {
    this.name = name;
    this.process = process;
    Thread.ofPlatform().daemon().name("console-" + name).start(this::pump);
  }

  /**
   * Starts node {@code name} with {@code dataDir}, {@code settings} ({@code --set}) and the
   * {@code COHORT_*} variables in {@code env} (none of the benchmark's own are passed on), and
   * waits until it says it is running.
   *
   * @throws BenchException if it exits or does not come up within three minutes, quoting its
   *     output
   */
  static NodeProcess start(
      Launcher launcher,
      String name,
      Path dataDir,
      Map<String, String> settings,
      Map<String, String> env)
      throws IOException, InterruptedException {
    List<String> command = new ArrayList<>();
    command.add(launcher.java().toString());
    command.addAll(launcher.jvmOptions());
    command.add("-jar");
    command.add(launcher.cliJar().toString());
    command.add("start");
    command.add("--port");
    command.add("0");
    command.add("--admin-port");
    command.add("0");
    command.add("--data-dir");
    command.add(dataDir.toString());
    command.add("--set");
    command.add("node.name=" + name);
    settings.forEach(
        (k, v) -> {
          command.add("--set");
          command.add(k + "=" + v);
        });
    ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
    builder.environment().keySet().removeIf(k -> k.startsWith("COHORT_"));
    builder.environment().putAll(env);
    NodeProcess node = new NodeProcess(name, builder.start());
    node.awaitRunning();
    return node;
  }

  private void awaitRunning() throws InterruptedException {
    try {
      Matcher running = started.get(START_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
      port = Integer.parseInt(running.group(1));
      adminPort = Integer.parseInt(running.group(2));
    } catch (ExecutionException e) {
      process.waitFor(10, TimeUnit.SECONDS);
      throw new BenchException(
          "node " + name + " exited" + (process.isAlive() ? "" : " with status " + process.exitValue())
              + " while starting:\n" + tail(40));
    } catch (TimeoutException e) {
      process.destroyForcibly();
      throw new BenchException(
          "node " + name + " did not start within " + START_TIMEOUT.toMinutes() + " min:\n"
              + tail(40));
    }
  }

  private void pump() {
    try (BufferedReader r =
        new BufferedReader(
            new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
      String line;
      while ((line = r.readLine()) != null) {
        output.add(new Line(System.nanoTime(), line));
        Matcher running = RUNNING.matcher(line);
        if (running.find()) {
          started.complete(running);
        }
      }
    } catch (IOException e) {
      // The process ended.
    }
    started.completeExceptionally(new IOException("the console ended"));
  }

  String name() {
    return name;
  }

  int port() {
    return port;
  }

  int adminPort() {
    return adminPort;
  }

  String baseUrl() {
    return "http://127.0.0.1:" + port;
  }

  String adminUrl() {
    return "http://127.0.0.1:" + adminPort;
  }

  boolean alive() {
    return process.isAlive();
  }

  /** The console lines that arrived at or after {@code nanos} and contain {@code text}. */
  List<Line> linesSince(long nanos, String text) {
    return output.stream().filter(l -> l.nanos() >= nanos && l.text().contains(text)).toList();
  }

  /** The console lines that arrived before {@code nanos} ({@link System#nanoTime}). */
  List<Line> linesBefore(long nanos) {
    return output.stream().filter(l -> l.nanos() < nanos).toList();
  }

  /**
   * Writes every console line so far to {@code file}, each prefixed with its arrival time in ms
   * relative to {@code zeroNanos} ({@link System#nanoTime}).
   */
  void saveLog(Path file, long zeroNanos) throws IOException {
    List<String> lines = new ArrayList<>();
    for (Line l : List.copyOf(output)) {
      lines.add(String.format(Locale.ROOT, "%+.0f ms %s", (l.nanos() - zeroNanos) / 1e6, l.text()));
    }
    Files.createDirectories(file.getParent());
    Files.write(file, lines, StandardCharsets.UTF_8);
  }

  /** The last {@code n} console lines. */
  String tail(int n) {
    List<Line> lines = List.copyOf(output);
    return String.join(
        "\n",
        lines.subList(Math.max(0, lines.size() - n), lines.size()).stream()
            .map(Line::text)
            .toList());
  }

  /**
   * CPU time this process has used so far (user + system, every thread), from {@code
   * /proc/<pid>/stat}; empty where that cannot be read.
   */
  Optional<Long> cpuNanos() {
    try {
      String stat = Files.readString(Path.of("/proc", Long.toString(process.pid()), "stat"));
      // The command name (field 2) may hold spaces; the fields after its ')' are fixed.
      String[] fields = stat.substring(stat.lastIndexOf(')') + 2).trim().split("\\s+");
      long ticks = Long.parseLong(fields[11]) + Long.parseLong(fields[12]); // utime, stime
      return Optional.of(ticks * 10_000_000L); // USER_HZ is 100 on Linux
    } catch (IOException | RuntimeException e) {
      return Optional.empty();
    }
  }

  /** SIGKILL: no shutdown hook, no goodbye to the cluster. Returns once the process is gone. */
  void kill() throws InterruptedException {
    process.destroyForcibly();
    if (!process.waitFor(30, TimeUnit.SECONDS)) {
      throw new BenchException("node " + name + " (pid " + process.pid() + ") survived SIGKILL");
    }
  }

  /** SIGTERM, a graceful stop; SIGKILL if it takes more than 30 s. */
  @Override
  public void close() {
    if (!process.isAlive()) {
      return;
    }
    process.destroy();
    try {
      if (!process.waitFor(30, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        process.waitFor(10, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
    }
  }
}
