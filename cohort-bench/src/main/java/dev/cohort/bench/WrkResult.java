package dev.cohort.bench;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

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
 * @param socketErrors connect, read and write errors and timeouts, added up
 * @param statusErrors responses wrk itself counted as errors (status 400 and above)
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
    long socketErrors,
    long statusErrors) {

  static final String PREFIX = "cohort-bench:";

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
    return new WrkResult(
        values.get("requests"),
        Duration.ofNanos(values.get("duration_us") * 1_000),
        values.get("p50_us"),
        values.get("p99_us"),
        values.get("max_us"),
        values.get("unexpected"),
        values.get("missing_session"),
        values.get("sessions_started"),
        values.get("connect_errors")
            + values.get("read_errors")
            + values.get("write_errors")
            + values.get("timeouts"),
        values.get("status_errors"));
  }

  /** Completed requests per second of the run. */
  double requestsPerSecond() {
    return duration.isZero() ? 0 : requests * 1e9 / duration.toNanos();
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
