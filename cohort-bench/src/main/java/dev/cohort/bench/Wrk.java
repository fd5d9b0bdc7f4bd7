package dev.cohort.bench;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Runs the {@code wrk} load generator against a loopback URL with a {@link LoadScript}, and reads
 * its {@link WrkResult}.
 */
final class Wrk {

  static final String INSTALL_HINT = "apt-get install -y wrk";

  /** How long past the requested duration wrk may take before it is killed. */
  private static final Duration GRACE = Duration.ofSeconds(30);

  private final Path executable;
  private final Path workDir;
  private final int threads;
  private final int connections;

  /**
   * @param executable the wrk binary
   * @param workDir where scripts and outputs are written
   */
  Wrk(Path executable, Path workDir, int threads, int connections) {
    this.executable = executable;
    this.workDir = workDir;
    this.threads = threads;
    this.connections = connections;
  }

  /** The {@code wrk} executable on {@code path} (a {@code PATH}-style list), if any. */
  static Optional<Path> find(String path) {
    return Stream.of(path.split(File.pathSeparator))
        .filter(dir -> !dir.isBlank())
        .map(dir -> Path.of(dir, "wrk"))
        .filter(Files::isExecutable)
        .findFirst();
  }

  /**
   * Loads {@code target} at {@code baseUrl} (which must be on loopback) for {@code duration}.
   *
   * @param phase names the output file, e.g. {@code warmup-greet}
   * @throws BenchException if wrk fails, hangs or prints no result
   */
  WrkResult run(String phase, Target target, String baseUrl, Duration duration)
      throws IOException, InterruptedException {
    return run(phase, target, baseUrl, List.of(), duration);
  }

  /**
   * Loads {@code target} on {@code ports} of 127.0.0.1 for {@code duration}: wrk's threads take
   * the ports in turn, so each port gets the same number of threads and connections.
   *
   * @throws IllegalArgumentException if the threads cannot be shared out evenly
   */
  WrkResult run(String phase, Target target, List<Integer> ports, Duration duration)
      throws IOException, InterruptedException {
    if (ports.isEmpty() || threads % ports.size() != 0) {
      throw new IllegalArgumentException(
          "wrk's " + threads + " thread(s) cannot be shared out evenly among " + ports.size()
              + " port(s); use a multiple of " + ports.size() + " threads");
    }
    return run(phase, target, "http://127.0.0.1:" + ports.getFirst(), ports, duration);
  }

  private WrkResult run(
      String phase, Target target, String baseUrl, List<Integer> ports, Duration duration)
      throws IOException, InterruptedException {
    if (!baseUrl.startsWith("http://127.0.0.1:")) {
      throw new IllegalArgumentException("load goes to loopback only, not " + baseUrl);
    }
    Path script = workDir.resolve(phase + ".lua");
    Files.writeString(script, LoadScript.render(target, ports), StandardCharsets.UTF_8);
    Path output = workDir.resolve(phase + ".out");
    List<String> command =
        List.of(
            executable.toString(),
            "-t" + threads,
            "-c" + connections,
            "-d" + duration.toSeconds() + "s",
            "--timeout",
            "5s",
            "--latency",
            "-s",
            script.toString(),
            baseUrl);
    Process process =
        new ProcessBuilder(command)
            .redirectErrorStream(true)
            .redirectOutput(output.toFile())
            .start();
    if (!process.waitFor(duration.plus(GRACE).toMillis(), TimeUnit.MILLISECONDS)) {
      process.destroyForcibly();
      throw new BenchException(
          "wrk did not finish within " + duration.plus(GRACE).toSeconds() + " s of a "
              + duration.toSeconds() + " s run (" + phase + "); killed it");
    }
    String text = Files.readString(output, StandardCharsets.UTF_8);
    if (process.exitValue() != 0) {
      throw new BenchException(
          "wrk exited with status " + process.exitValue() + " (" + phase + "):\n" + text);
    }
    try {
      return WrkResult.parse(text);
    } catch (IllegalArgumentException e) {
      throw new BenchException("cannot read wrk's result (" + phase + "): " + e.getMessage());
    }
  }

  /** The first unexpected responses wrk's script quoted, if any, for the failure report. */
  List<String> samples(String phase) throws IOException {
    Path output = workDir.resolve(phase + ".out");
    if (!Files.exists(output)) {
      return List.of();
    }
    try (Stream<String> lines = Files.lines(output, StandardCharsets.UTF_8)) {
      return lines.filter(l -> l.startsWith("cohort-bench-sample:")).limit(3).toList();
    }
  }
}
