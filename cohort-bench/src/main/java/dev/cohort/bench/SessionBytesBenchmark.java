package dev.cohort.bench;

import java.io.IOException;
import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * {@code cohort-bench/run session-bytes}: what one request that changes one small attribute sends
 * between the members of a stateful cluster, for sessions that also hold a big attribute of 1 KB,
 * 100 KB or 1 MB. Bytes are counted twice, before and after many such requests: by the kernel's
 * counters of the members' TCP connections ({@link TcpCounters}: what really crossed between the
 * nodes, sealed payloads and JGroups framing, without TCP/IP headers) and by the members' own
 * counters ({@code cohort_cluster_sent_bytes_total} on each node's {@code /metrics}, added up).
 * The cluster's idle traffic (heartbeats) over the same time is shown separately.
 *
 * <p>{@link #SESSIONS} sessions per size each get a big attribute ({@code bench.session:put}),
 * checked on every node by its SHA-256 ({@code bench.session:digest}); then {@code --requests}
 * calls of {@code bench.session:touch} (add one to a {@code Long} attribute) go round the
 * sessions and the nodes, one at a time, so that each session is changed through every node.
 */
final class SessionBytesBenchmark {

  /** Sessions per size: the calls spread over sessions whose primary copy is on either node. */
  static final int SESSIONS = 10;

  /** Bytes per request may vary this much between the sizes and still count as independent. */
  static final double TOLERANCE = 0.10;

  private static final Duration IDLE = Duration.ofSeconds(5);

  /**
   * One size measured.
   *
   * @param putSent bytes on the wire while the big attributes were stored (all sessions)
   * @param sent bytes on the wire during the small changes
   * @param counters what the nodes' own counters said about the small changes
   * @param idleBytes the idle traffic expected in the time the small changes took
   */
  private record Result(
      Deployment.Replication replication,
      int size,
      long putSent,
      int requests,
      long sent,
      Deployment.ClusterBytes counters,
      double idleBytes,
      double millis) {

    double sentPerRequest() {
      return (double) sent / requests;
    }

    double idlePerRequest() {
      return idleBytes / requests;
    }
  }

  private final StatefulOptions options;
  private final Rig rig;
  private final PrintStream out;
  private final Client client = new Client(Duration.ofSeconds(60));

  SessionBytesBenchmark(StatefulOptions options, Rig rig) {
    this.options = options;
    this.rig = rig;
    this.out = rig.out();
  }

  int run() throws Exception {
    out.printf(
        Locale.ROOT,
        "%nSession bytes: %d-node stateful cluster(s); per size %d sessions, then %,d requests"
            + " that each change one small attribute, one at a time, round the sessions and"
            + " nodes%n",
        options.nodes(), SESSIONS, options.requests());
    List<Result> results = new ArrayList<>();
    for (Deployment.Replication r : options.replications()) {
      out.printf("starting the cluster (replication=%s)...%n", r.setting());
      try (Deployment cluster = rig.stateful("bytes-" + r.setting(), options.nodes(), r)) {
        double idleRate = idleBytesPerSecond(cluster);
        out.printf(Locale.ROOT, "  idle traffic: %,.0f bytes/s (all nodes)%n", idleRate);
        for (int size : options.sizes()) {
          Optional<Result> result = measure(cluster, r, size, idleRate);
          if (result.isEmpty()) {
            return StatefulBenchmarks.FAILED;
          }
          Result m = result.get();
          results.add(m);
          out.printf(
              Locale.ROOT,
              "  %s, %s: %,.0f bytes sent per request (of which idle traffic ~%,.0f)%n",
              r.setting(), StatefulOptions.size(size), m.sentPerRequest(), m.idlePerRequest());
        }
      }
    }
    return report(results);
  }

  private double idleBytesPerSecond(Deployment cluster) throws IOException, InterruptedException {
    TcpCounters.Snapshot before = TcpCounters.read(cluster.clusterPorts());
    long t0 = System.nanoTime();
    Thread.sleep(IDLE.toMillis());
    long sent = TcpCounters.read(cluster.clusterPorts()).sentSince(before);
    return sent * 1e9 / (System.nanoTime() - t0);
  }

  private Optional<Result> measure(
      Deployment cluster, Deployment.Replication r, int size, double idleRate)
      throws IOException, InterruptedException {
    List<NodeProcess> nodes = cluster.nodes();
    Optional<String> auth = Optional.of(cluster.authorization());
    List<String> sessions = new ArrayList<>();
    List<String> digests = new ArrayList<>();
    TcpCounters.Snapshot beforePut = TcpCounters.read(cluster.clusterPorts());
    for (int s = 0; s < SESSIONS; s++) {
      NodeProcess node = nodes.get(s % nodes.size());
      Client.Reply put =
          client.post(
                  node.baseUrl() + "/invoke/bench.session/put",
                  "{\"name\":\"big\",\"size\":" + size + ",\"seed\":" + (s + 1) + "}",
                  auth, Optional.empty())
              .ok("bench.session:put on " + node.name());
      sessions.add(put.session().orElseThrow(() -> new BenchException("put gave no session")));
      digests.add(put.json().path("digest").asText());
    }
    long putSent = TcpCounters.read(cluster.clusterPorts()).sentSince(beforePut);
    // The big attributes must be seen going to the other copies, or this measures nothing.
    if (putSent < (long) SESSIONS * size) {
      out.printf(
          "%nFAILED: storing %d attributes of %d bytes sent only %d bytes between the members;"
              + " the connections counted are not the ones the session copies travel on%n",
          SESSIONS, size, putSent);
      return Optional.empty();
    }
    for (int s = 0; s < SESSIONS; s++) {
      for (NodeProcess node : nodes) {
        Client.Reply digest =
            client.post(
                    node.baseUrl() + "/invoke/bench.session/digest", "{\"name\":\"big\"}", auth,
                    Optional.of(sessions.get(s)))
                .ok("bench.session:digest on " + node.name());
        if (!digests.get(s).equals(digest.json().path("digest").asText())
            || digest.json().path("size").asInt() != size) {
          out.printf(
              "%nFAILED: %s serves another big attribute than was stored: %s%n",
              node.name(), digest.body());
          return Optional.empty();
        }
      }
    }

    long[] counts = new long[SESSIONS];
    Deployment.ClusterBytes countersBefore = cluster.clusterBytes();
    TcpCounters.Snapshot before = TcpCounters.read(cluster.clusterPorts());
    long t0 = System.nanoTime();
    for (int i = 0; i < options.requests(); i++) {
      int s = i % SESSIONS;
      NodeProcess node = nodes.get((i / SESSIONS) % nodes.size());
      Client.Reply touch =
          client.post(
                  node.baseUrl() + "/invoke/bench.session/touch", "{\"name\":\"small\"}", auth,
                  Optional.of(sessions.get(s)))
              .ok("bench.session:touch on " + node.name());
      if (touch.json().path("count").asLong() != ++counts[s]) {
        out.printf(
            "%nFAILED: session %d's counter is %s after %d changes%n",
            s, touch.body(), counts[s]);
        return Optional.empty();
      }
    }
    long nanos = System.nanoTime() - t0;
    long sent = TcpCounters.read(cluster.clusterPorts()).sentSince(before);
    Deployment.ClusterBytes counters = cluster.clusterBytes().minus(countersBefore);
    return Optional.of(
        new Result(
            r, size, putSent, options.requests(), sent, counters, idleRate * nanos / 1e9,
            nanos / 1e6));
  }

  private int report(List<Result> results) {
    out.println();
    out.println(
        "| replication | big attribute | requests | bytes / request (TCP, all nodes) | of which"
            + " idle traffic | nodes' counters: sent / received per request | requests/s (one"
            + " client) | storing the big attribute: bytes per session |");
    out.println("|---|---:|---:|---:|---:|---:|---:|---:|");
    for (Result m : results) {
      out.println(
          String.format(
              Locale.ROOT,
              "| %s | %s | %,d | %,.0f | ~%,.0f | %,.0f / %,.0f | %,.0f | %,d |",
              m.replication().setting(),
              StatefulOptions.size(m.size()),
              m.requests(),
              m.sentPerRequest(),
              m.idlePerRequest(),
              (double) m.counters().sent() / m.requests(),
              (double) m.counters().received() / m.requests(),
              m.requests() * 1000 / m.millis(),
              m.putSent() / SESSIONS));
    }
    boolean independent = true;
    out.println();
    if (results.stream().anyMatch(m -> m.sent() > 0 && m.counters().sent() == 0)) {
      out.println(
          "NOTE: the nodes' cohort_cluster_sent_bytes_total / received did not move while bytes"
              + " crossed between them: those counters are broken (always 0); the TCP counts above"
              + " do not depend on them.");
    }
    for (Deployment.Replication r : options.replications()) {
      List<Result> of = results.stream().filter(m -> m.replication() == r).toList();
      double min = of.stream().mapToDouble(Result::sentPerRequest).min().orElseThrow();
      double max = of.stream().mapToDouble(Result::sentPerRequest).max().orElseThrow();
      boolean ok = max <= min * (1 + TOLERANCE);
      independent &= ok;
      out.printf(
          Locale.ROOT,
          "replication=%s: bytes per request %,.0f..%,.0f over sizes %s..%s: %s%n",
          r.setting(), min, max, StatefulOptions.size(of.getFirst().size()),
          StatefulOptions.size(of.getLast().size()),
          ok
              ? "independent of the session's size (within " + Math.round(TOLERANCE * 100) + "%)"
              : "GROWS with the session's size");
    }
    return independent ? StatefulBenchmarks.OK : StatefulBenchmarks.TARGET_MISSED;
  }
}
