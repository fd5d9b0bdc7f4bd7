package dev.cohort.bench;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What one wrk run measured, as printed by the {@code done()} callback of {@code load.lua} on a
 * line starting with {@code cohort-bench:}. Latencies come from wrk's own histogram (the one
 * {@code --latency} prints), in microseconds.
 *
 * @param requests requests completed within the run
 * @param duration how long the run lasted
 * @param p50Micros median latency
 * @param p99Micros 99th percentile latency
 * @param maxMicros the largest latency
 * @param unexpected responses that were not a 200 with the expected body
 * @param missingSession 200 responses without the session header where one was expected
 * @param sessionsStarted sessions the load started (session ids it saw for the first time)
 * @param logouts sessions the load ended with {@code POST /logout} (counted in {@code requests})
 * @param socketErrors connect, read and write errors and timeouts, added up
 * @param statusErrors responses wrk itself counted as errors (status 400 and above)
 * @param correctByPort when the threads loaded several ports: the correct responses each gave
 */
record WrkResult(
    long requests,
    Duration duration,
    long p50Micros,
    long p99Micros,
    long maxMicros,
    long unexpected,
    long missingSession,
    long sessionsStarted,
    long logouts,
    long socketErrors,
    long statusErrors,
    Map<Integer, Long> correctByPort) {

  static final String PREFIX = "cohort-bench:";
  private static final Pattern PORT_LINE =
      Pattern.compile("cohort-bench-port: port=([0-9]+) correct=([0-9]+)");

  WrkResult {
    correctByPort = Map.copyOf(correctByPort);
  }

  private static final List<String> KEYS =
      List.of(
          "requests",
          "duration_us",
          "p50_us",
          "p99_us",
          "max_us",
          "unexpected",
          "missing_session",
          "sessions_started",
          "logouts",
          "connect_errors",
          "read_errors",
          "write_errors",
          "timeouts",
          "status_errors");

  /**
   * Reads the result from wrk's whole output.
   *
   * @throws IllegalArgumentException if the output has no complete result line, quoting its end
   */
  static WrkResult parse(String output) {
    String line =
        output
            .lines()
            .filter(l -> l.startsWith(PREFIX))
            .reduce((first, second) -> second)
            .orElseThrow(
                () ->
                    new IllegalArgumentException(
                        "wrk printed no '" + PREFIX + "' result line; its output ends with:\n"
                            + tail(output)));
    Map<String, Long> values = new HashMap<>();
    for (String pair : line.substring(PREFIX.length()).trim().split("\\s+")) {
      int eq = pair.indexOf('=');
      if (eq <= 0) {
        throw new IllegalArgumentException("malformed field '" + pair + "' in: " + line);
      }
      try {
        values.put(pair.substring(0, eq), Long.parseLong(pair.substring(eq + 1)));
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException("field '" + pair + "' is not a whole number in: " + line);
      }
    }
    List<String> missing = KEYS.stream().filter(k -> !values.containsKey(k)).toList();
    if (!missing.isEmpty()) {
      throw new IllegalArgumentException("fields " + missing + " missing in: " + line);
    }
    Map<Integer, Long> byPort = new TreeMap<>();
    output
        .lines()
        .map(PORT_LINE::matcher)
        .filter(Matcher::matches)
        .forEach(m -> byPort.merge(Integer.parseInt(m.group(1)), Long.parseLong(m.group(2)), Long::sum));
    return new WrkResult(
        values.get("requests"),
        Duration.ofNanos(values.get("duration_us") * 1_000),
        values.get("p50_us"),
        values.get("p99_us"),
        values.get("max_us"),
        values.get("unexpected"),
        values.get("missing_session"),
        values.get("sessions_started"),
        values.get("logouts"),
        values.get("connect_errors")
            + values.get("read_errors")
            + values.get("write_errors")
            + values.get("timeouts"),
        values.get("status_errors"),
        byPort);
  }

  /** Completed requests per second of the run. */
  double requestsPerSecond() {
    return duration.isZero() ? 0 : requests * 1e9 / duration.toNanos();
  }

  /** Completed requests per second other than logouts: the service calls. */
  double callsPerSecond() {
    return duration.isZero() ? 0 : (requests - logouts) * 1e9 / duration.toNanos();
  }

  /** Whether every request got the expected answer (a benchmark of errors is worthless). */
  boolean valid() {
    return problems().isEmpty();
  }

  /** Why the run is not valid, or an empty string if it is. */
  String problems() {
    StringBuilder out = new StringBuilder();
    if (requests == 0) {
      out.append("no request completed; ");
    }
    if (unexpected > 0) {
      out.append(unexpected).append(" response(s) not a 200 with the expected body; ");
    }
    if (missingSession > 0) {
      out.append(missingSession).append(" response(s) without X-Cohort-Session; ");
    }
    if (socketErrors > 0) {
      out.append(socketErrors).append(" socket error(s) or timeout(s); ");
    }
    if (statusErrors > 0 && unexpected == 0) {
      out.append(statusErrors).append(" error status(es); ");
    }
    return out.isEmpty() ? "" : out.substring(0, out.length() - 2);
  }

  private static String tail(String output) {
    List<String> lines = output.lines().toList();
    return String.join("\n", lines.subList(Math.max(0, lines.size() - 15), lines.size()));
  }
}
