package dev.cohort.bench;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The HTTP side of {@code gd-throughput}: wrk with one connection per thread, each a client
 * running one kind of guaranteed-delivery call in a closed loop ({@code gd-load.lua}), every
 * answer checked. wrk costs the shared cores a small fraction of what a JVM HTTP client does, as
 * pgbench is to a JDBC loop; the work the node and PostgreSQL do is the same.
 */
final class GdLoad {

  /** What a client does per transaction. */
  enum Mode {
    /** {@code /invoke/samples.orders/placeOrder} without a guarantee: the ceiling. */
    PLAIN("plain"),
    /** The same call with a new {@code Idempotency-Key}. */
    KEY("key"),
    /** Start, invoke and end: three requests. */
    CLASSIC("classic"),
    /** {@code invoke?start=true}, ends in batches. */
    COMPACT("compact");

    final String script;

    Mode(String script) {
      this.script = script;
    }
  }

  /**
   * One wrk run's count.
   *
   * @param transactions completed with every answer as expected (for COMPACT: ended, too)
   * @param orders calls that answered with a new order (each inserted one row)
   * @param errors transactions that got an unexpected answer
   * @param requests HTTP requests wrk completed
   * @param elapsed wrk's measured time
   * @param sample the first unexpected answer, if any
   */
  record Result(
      long transactions, long orders, long errors, long requests, Duration elapsed, long p50Micros, long p99Micros,
      String sample) {
    double perSecond() {
      return transactions / (elapsed.toNanos() / 1e9);
    }
  }

  private static final Pattern LINE =
      Pattern.compile(
          "cohort-gd: ok=(\\d+) orders=(\\d+) errors=(\\d+) duration_us=(\\d+) requests=(\\d+) p50_us=(\\d+) p99_us=(\\d+)");
  private static final Duration GRACE = Duration.ofSeconds(30);

  private final Path wrk;
  private final Path work;
  private final int clients;
  private final String baseUrl;
  private final String authorization;
  private int runs;

  GdLoad(Path wrk, Path work, int clients, String baseUrl, String authorization) {
    if (!baseUrl.startsWith("http://127.0.0.1:")) {
      throw new IllegalArgumentException("load goes to loopback only, not " + baseUrl);
    }
    this.wrk = wrk;
    this.work = work;
    this.clients = clients;
    this.baseUrl = baseUrl;
    this.authorization = authorization;
  }

  /** How many wrk runs there were: each may leave one call per client unanswered at its end. */
  int runs() {
    return runs;
  }

  Result run(Mode mode, int endBatch, Duration duration) throws IOException, InterruptedException {
    runs++;
    String phase = "gd-" + mode.script + "-" + endBatch + "-" + runs;
    String script;
    try (InputStream in = GdLoad.class.getResourceAsStream("gd-load.lua")) {
      script = new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
    script =
        script
            .replace("@MODE@", mode.script)
            .replace("@AUTH@", authorization)
            .replace("@RUN@", "r" + UUID.randomUUID().toString().substring(0, 8))
            .replace("@BATCH@", Integer.toString(endBatch));
    Path lua = work.resolve(phase + ".lua");
    Files.writeString(lua, script, StandardCharsets.UTF_8);
    Path output = work.resolve(phase + ".out");
    Process process =
        new ProcessBuilder(
                wrk.toString(), "-t" + clients, "-c" + clients, "-d" + duration.toSeconds() + "s",
                "--timeout", "10s", "-s", lua.toString(), baseUrl)
            .redirectErrorStream(true)
            .redirectOutput(output.toFile())
            .start();
    if (!process.waitFor(duration.plus(GRACE).toMillis(), TimeUnit.MILLISECONDS)) {
      process.destroyForcibly();
      throw new BenchException("wrk did not finish within " + duration.plus(GRACE).toSeconds() + " s (" + phase + ")");
    }
    String text = Files.readString(output, StandardCharsets.UTF_8);
    Matcher m = LINE.matcher(text);
    if (process.exitValue() != 0 || !m.find()) {
      throw new BenchException("wrk failed (" + phase + ", exit " + process.exitValue() + "):\n" + text);
    }
    String sample =
        text.lines().filter(l -> l.startsWith("cohort-gd-sample: ")).findFirst().map(l -> l.substring(18)).orElse("");
    return new Result(
        Long.parseLong(m.group(1)), Long.parseLong(m.group(2)), Long.parseLong(m.group(3)),
        Long.parseLong(m.group(5)), Duration.ofNanos(Long.parseLong(m.group(4)) * 1000),
        Long.parseLong(m.group(6)), Long.parseLong(m.group(7)), sample);
  }

  /** The modes measured, in order, with their end batch and label. */
  record Side(String label, Mode mode, int endBatch) {}

  static List<Side> sides(int endBatch) {
    return List.of(
        new Side("GD start + invoke + end (3 requests)", Mode.CLASSIC, 1),
        new Side("GD invoke?start=true + end (2 requests, as TContext sends them)", Mode.COMPACT, 1),
        new Side("GD invoke?start=true, ends in batches of " + endBatch + " (endInBatches)", Mode.COMPACT, endBatch),
        new Side("GD Idempotency-Key on /invoke (1 request)", Mode.KEY, 1),
        new Side("the same call without GD (plain /invoke): the ceiling", Mode.PLAIN, 1));
  }
}
