package dev.cohort.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The kernel's byte counters of the TCP connections on given loopback ports, read with {@code ss
 * -tin} (iproute2): for each connection end, {@code bytes_acked} (what it sent and the other end
 * received). Both ends of a loopback connection are on this machine, so adding up {@code
 * bytes_acked} over all ends gives every byte sent over those connections in either direction:
 * the cluster's traffic as the wire sees it, measured independently of the nodes' own counters.
 */
final class TcpCounters {

  /** What one connection end has sent and the other end acknowledged. */
  record End(String local, String peer, long acked) {}

  /** One reading, the ends keyed by {@code local -> peer}. */
  record Snapshot(Map<String, End> ends) {

    long sent() {
      return ends.values().stream().mapToLong(End::acked).sum();
    }

    /**
     * Bytes sent since {@code earlier}.
     *
     * @throws BenchException if a connection of {@code earlier} is gone (its bytes would be lost
     *     from the count)
     */
    long sentSince(Snapshot earlier) {
      for (String key : earlier.ends.keySet()) {
        if (!ends.containsKey(key)) {
          throw new BenchException(
              "cluster connection " + key + " closed while it was measured; its bytes cannot be"
                  + " counted. Run the benchmark again.");
        }
      }
      long before = earlier.ends.values().stream().mapToLong(End::acked).sum();
      return sent() - before;
    }
  }

  private static final Pattern ACKED = Pattern.compile("\\bbytes_acked:([0-9]+)");

  private TcpCounters() {}

  /**
   * Reads the counters of every established TCP connection with an end on one of {@code ports}.
   *
   * @throws BenchException if {@code ss} is missing or fails
   */
  static Snapshot read(Set<Integer> ports) throws IOException, InterruptedException {
    List<String> filter = new ArrayList<>();
    for (int port : ports) {
      if (!filter.isEmpty()) {
        filter.add("or");
      }
      filter.addAll(List.of("sport", "=", ":" + port, "or", "dport", "=", ":" + port));
    }
    List<String> command = new ArrayList<>(List.of("ss", "-tinH", "state", "established", "("));
    command.addAll(filter);
    command.add(")");
    Process ss;
    try {
      ss = new ProcessBuilder(command).redirectErrorStream(true).start();
    } catch (IOException e) {
      throw new BenchException(
          "cannot run ss (iproute2), which reads the cluster's TCP byte counters; install it with"
              + " apt-get install -y iproute2");
    }
    String output = new String(ss.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!ss.waitFor(10, TimeUnit.SECONDS) || ss.exitValue() != 0) {
      throw new BenchException("ss failed: " + output);
    }
    return parse(output);
  }

  /** Parses {@code ss -tinH state established} output: an address line, then its info line(s). */
  static Snapshot parse(String output) {
    Map<String, End> ends = new HashMap<>();
    List<String> lines = output.lines().filter(l -> !l.isBlank()).toList();
    for (int i = 0; i < lines.size(); i++) {
      String[] fields = lines.get(i).trim().split("\\s+");
      if (Character.isWhitespace(lines.get(i).charAt(0)) || fields.length < 4) {
        throw new BenchException("cannot read this line of ss output: " + lines.get(i));
      }
      StringBuilder info = new StringBuilder();
      while (i + 1 < lines.size() && Character.isWhitespace(lines.get(i + 1).charAt(0))) {
        info.append(lines.get(++i)).append(' ');
      }
      String local = fields[2];
      String peer = fields[3];
      ends.put(local + " -> " + peer, new End(local, peer, number(ACKED, info)));
    }
    return new Snapshot(Map.copyOf(ends));
  }

  private static long number(Pattern pattern, CharSequence text) {
    Matcher m = pattern.matcher(text);
    return m.find() ? Long.parseLong(m.group(1)) : 0;
  }
}
