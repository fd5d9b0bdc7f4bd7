package dev.cohort.bench;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * {@code cohort-bench/run stateful-throughput}: samples.cart:addItem on a 2-node stateful cluster
 * (wrk's threads split evenly between the nodes, so both serve) against one standalone node, in
 * the same run with the same wrk settings; plus the standalone node's stateless greet, the rate
 * Tomcat's reference ratio is taken against.
 *
 * <p>Each wrk connection keeps its own session; after {@code --cart-items} calls the next request
 * of that session is a {@code POST /logout}, so sessions are created and removed as the load goes
 * (one create, N writes and one remove per conversation) and none pile up until they expire. The
 * reported rate counts addItem calls only; the logouts' time counts against it.
 */
final class StatefulThroughput {

  /**
   * Tomcat 11 DeltaManager, synchronous replication, 2 nodes on this machine (the figure;
   * {@code cohort-bench/reference/tomcat/run} measures it with this benchmark's own load).
   */
  static final double TOMCAT_RATE = 23_000;

  /** ... which is this share of Tomcat's stateless rate. Cohort should do better. */
  static final double TOMCAT_RATIO = 0.33;

  private static final String ITEM_BODY = "{\"item\":\"apple\"}";

  private static final Duration WARMUP_SLICE = Duration.ofSeconds(10);
  private static final double STILL_WARMING = 0.05;

  /** A measured run waits for other processes to use less than this many cores ... */
  private static final double QUIET_OTHER_CORES = 0.25;

  /** ... for at most this long. */
  private static final Duration QUIET_PATIENCE = Duration.ofMinutes(2);

  /** One thing measured: a target on a deployment. */
  private record Row(String label, Deployment deployment, Target target) {}

  private final StatefulOptions options;
  private final Rig rig;
  private final Map<String, String> env;
  private final PrintStream out;
  private final List<Deployment> deployments = new ArrayList<>();

  StatefulThroughput(StatefulOptions options, Rig rig, Map<String, String> env) {
    this.options = options;
    this.rig = rig;
    this.env = env;
    this.out = rig.out();
  }

  int run() throws Exception {
    Path wrkExecutable =
        Wrk.find(env.getOrDefault("PATH", ""))
            .orElseThrow(
                () ->
                    new BenchException(
                        "wrk, the load generator, is not installed. Install it with:\n\n    "
                            + Wrk.INSTALL_HINT
                            + "\n\nthen run the benchmark again."));
    try {
      out.println("starting the standalone node and the cluster(s)...");
      Deployment single = rig.standalone("single");
      deployments.add(single);
      List<Row> rows = new ArrayList<>();
      rows.add(
          new Row("standalone, samples.hello:greet (stateless)", single, greet(single)));
      rows.add(new Row("standalone, samples.cart:addItem", single, addItem(single)));
      for (Deployment.Replication r : options.replications()) {
        Deployment cluster = rig.stateful("cart-" + r.setting(), 2, r);
        deployments.add(cluster);
        rows.add(
            new Row(
                "2-node cluster, replication=" + r.setting() + ", samples.cart:addItem",
                cluster,
                addItem(cluster)));
      }
      for (Deployment d : deployments) {
        preflight(d);
      }
      Wrk wrk = new Wrk(wrkExecutable, rig.work(), options.threads(), options.connections());
      return measure(wrk, rows);
    } finally {
      for (Deployment d : deployments.reversed()) {
        d.close();
      }
    }
  }

  private Target addItem(Deployment d) {
    return new Target(
        "addItem", "samples.cart:addItem", "/invoke/samples.cart/addItem", ITEM_BODY,
        Optional.of(d.authorization()), true, options.cartItems(), "\"count\":", true);
  }

  private static Target greet(Deployment d) {
    return new Target(
        "greet", "samples.hello:greet", "/invoke/samples.hello/greet", "{\"name\":\"Ada\"}",
        Optional.of(d.authorization()), true, 0, "Hello, Ada!");
  }

  /**
   * Proves the path the load takes: a cart started on the first node continues on the last with
   * its items, a logout ends the session everywhere (the next call with its id starts a new one).
   */
  private void preflight(Deployment d) throws IOException, InterruptedException {
    Client client = new Client(Duration.ofSeconds(30));
    Optional<String> auth = Optional.of(d.authorization());
    NodeProcess first = d.nodes().getFirst();
    NodeProcess last = d.nodes().getLast();
    Client.Reply one =
        client.post(first.baseUrl() + "/invoke/samples.cart/addItem", ITEM_BODY, auth, Optional.empty())
            .ok(d.label() + " addItem");
    String id = one.session().orElseThrow(() -> new BenchException("addItem gave no session"));
    Client.Reply two =
        client.post(last.baseUrl() + "/invoke/samples.cart/addItem", ITEM_BODY, auth, Optional.of(id))
            .ok(d.label() + " addItem");
    if (!one.body().contains("\"count\":1") || !two.body().contains("\"count\":2")
        || !two.session().equals(Optional.of(id))) {
      throw new BenchException(
          d.label() + ": a cart did not continue from " + first.name() + " on " + last.name()
              + ": " + one.body() + " then " + two.body());
    }
    Client.Reply bye =
        client.post(last.baseUrl() + "/logout", "{}", auth, Optional.of(id)).ok(d.label() + " logout");
    if (!bye.body().contains("\"loggedOut\":true")) {
      throw new BenchException(d.label() + ": logout did not end the session: " + bye.body());
    }
    Client.Reply after =
        client.post(first.baseUrl() + "/invoke/samples.cart/addItem", ITEM_BODY, auth, Optional.of(id))
            .ok(d.label() + " addItem after logout");
    if (after.session().equals(Optional.of(id)) || !after.body().contains("\"count\":1")) {
      throw new BenchException(
          d.label() + ": a logged-out session was still served on " + first.name() + ": "
              + after.body());
    }
  }

  private int measure(Wrk wrk, List<Row> rows) throws Exception {
    out.printf(
        Locale.ROOT,
        "%nStateful throughput: wrk %s (threads split evenly between a cluster's nodes), warm-up"
            + " per row until it stops getting faster (at most %d s), then %d round(s) of %d s per"
            + " row; sessions logged out after %d addItem calls%n",
        options.wrkShape(), options.warmup().toSeconds(), options.rounds(),
        options.duration().toSeconds(), options.cartItems());
    for (Row row : rows) {
      int status = warmUp(wrk, row);
      if (status != StatefulBenchmarks.OK) {
        return status;
      }
    }
    List<List<LoadRun>> rounds = new ArrayList<>();
    for (int round = 1; round <= options.rounds(); round++) {
      List<LoadRun> runs = new ArrayList<>();
      for (Row row : rows) {
        String phase = "measure-" + slug(row) + "-" + round;
        awaitQuiet(row);
        LoadRun run = load(wrk, phase, row, options.duration());
        out.printf(Locale.ROOT, "  round %d  %-55s %,9.0f calls/s%n", round, row.label(),
            run.callsPerSecond());
        if (!run.result().valid()) {
          return failed(wrk, phase, row, run.result());
        }
        if (row.deployment().stateful()) {
          for (int port : row.deployment().ports()) {
            if (run.result().correctByPort().getOrDefault(port, 0L) == 0) {
              out.printf("%nFAILED: %s: node on port %d served nothing%n", row.label(), port);
              return StatefulBenchmarks.FAILED;
            }
          }
        }
        runs.add(run);
      }
      rounds.add(runs);
    }
    out.println();
    printRounds(rows, rounds);
    out.println();
    return printSummary(rows, rounds);
  }

  /**
   * Loads {@code row} in slices of {@link #WARMUP_SLICE} until it stops getting faster (two slices
   * in a row no more than {@link #STILL_WARMING} faster than the best before them, after at least
   * three slices; one slow slice is often the host's noise), or for {@code --warmup} at most. The node JVMs compile the cluster's code paths for a
   * minute or more on two shared cores; measured before that, a cluster looks far slower than it
   * is in a long-running deployment.
   */
  private int warmUp(Wrk wrk, Row row) throws IOException, InterruptedException {
    if (options.warmup().isZero()) {
      return StatefulBenchmarks.OK;
    }
    long deadline = System.nanoTime() + options.warmup().toNanos();
    double best = 0;
    int flat = 0;
    List<String> rates = new ArrayList<>();
    for (int slice = 1; System.nanoTime() < deadline; slice++) {
      String phase = "warmup-" + slug(row) + "-" + slice;
      LoadRun warm = load(wrk, phase, row, WARMUP_SLICE);
      if (!warm.result().valid()) {
        return failed(wrk, phase, row, warm.result());
      }
      double rate = warm.callsPerSecond();
      rates.add(String.format(Locale.ROOT, "%,.0f", rate));
      flat = rate > best * (1 + STILL_WARMING) ? 0 : flat + 1;
      best = Math.max(best, rate);
      if (slice >= 3 && flat >= 2) {
        break;
      }
    }
    out.printf(
        Locale.ROOT, "  warm-up  %-55s %s calls/s per %d s (discarded)%n", row.label(),
        String.join(", ", rates), WARMUP_SLICE.toSeconds());
    return StatefulBenchmarks.OK;
  }

  private LoadRun load(Wrk wrk, String phase, Row row, Duration duration)
      throws IOException, InterruptedException {
    Deployment d = row.deployment();
    long cpu0 = d.cpuNanos().orElse(0L);
    Optional<Machine> machine0 = Machine.now(this::allNodesCpu);
    long t0 = System.nanoTime();
    WrkResult result = wrk.run(phase, row.target(), d.ports(), duration);
    long wall = System.nanoTime() - t0;
    long cpu = d.cpuNanos().orElse(0L) - cpu0;
    Optional<Machine.Cores> cores =
        Machine.now(this::allNodesCpu).flatMap(m -> machine0.map(m::since));
    return new LoadRun(row.label(), result, wall, cpu, cores);
  }

  /** CPU time of every node the benchmark runs (idle ones are not "other load"). */
  private long allNodesCpu() {
    return deployments.stream().mapToLong(d -> d.cpuNanos().orElse(0L)).sum();
  }

  /**
   * Before a measured run: waits up to {@link #QUIET_PATIENCE} for other processes to leave the
   * cores alone, and says so if they do not.
   */
  private void awaitQuiet(Row row) throws InterruptedException {
    if (Machine.awaitQuiet(this::allNodesCpu, QUIET_OTHER_CORES, QUIET_PATIENCE).isEmpty()) {
      out.printf(
          Locale.ROOT,
          "  (other processes kept more than %.2f cores busy for %d s; measuring %s anyway)%n",
          QUIET_OTHER_CORES, QUIET_PATIENCE.toSeconds(), row.label());
    }
  }

  private void printRounds(List<Row> rows, List<List<LoadRun>> rounds) {
    out.println(
        "| round | target | calls/s | requests/s (with logouts) | p50 | p99 | vs standalone addItem |"
            + " node CPU µs/call | cores busy: nodes / wrk / other processes | share per node |");
    out.println("|---:|---|---:|---:|---:|---:|---:|---:|---:|---|");
    for (int i = 0; i < rounds.size(); i++) {
      List<LoadRun> round = rounds.get(i);
      LoadRun reference = round.get(1);
      for (int j = 0; j < rows.size(); j++) {
        LoadRun run = round.get(j);
        out.println(
            String.format(
                Locale.ROOT,
                "| %d | %s | %,.0f | %,.0f | %s | %s | %.1f%% | %.1f | %s | %s |",
                i + 1,
                run.row(),
                run.callsPerSecond(),
                run.result().requestsPerSecond(),
                Report.millis(run.result().p50Micros()),
                Report.millis(run.result().p99Micros()),
                100 * run.ratioTo(reference),
                run.nodeCpuMicrosPerCall(),
                run.cores()
                    .map(c -> String.format(
                        Locale.ROOT, "%.2f / %.2f / %.2f", c.nodes(), c.load(), c.other()))
                    .orElse("?"),
                shares(rows.get(j), run)));
      }
    }
  }

  private int printSummary(List<Row> rows, List<List<LoadRun>> rounds) {
    out.printf(
        "Median of %d round(s); ratios are medians of each round's ratio. 'by CPU' compares the"
            + " node JVMs' CPU time per call (the reference's / this one's).%n%n",
        rounds.size());
    out.println(
        "| target | calls/s | p50 | p99 | vs standalone addItem | by CPU | vs standalone greet"
            + " (stateless) | node CPU µs/call |");
    out.println("|---|---:|---:|---:|---:|---:|---:|---:|");
    for (int j = 0; j < rows.size(); j++) {
      int row = j;
      List<LoadRun> runs = rounds.stream().map(r -> r.get(row)).toList();
      out.println(
          String.format(
              Locale.ROOT,
              "| %s | %,.0f | %s | %s | %.1f%% | %.1f%% | %.1f%% | %.1f |",
              rows.get(j).label(),
              Report.median(runs, LoadRun::callsPerSecond),
              Report.millis(Math.round(Report.median(runs, r -> r.result().p50Micros()))),
              Report.millis(Math.round(Report.median(runs, r -> r.result().p99Micros()))),
              100 * Report.median(rounds, r -> r.get(row).ratioTo(r.get(1))),
              100 * Report.median(rounds, r -> r.get(row).cpuRatioTo(r.get(1))),
              100 * Report.median(rounds, r -> r.get(row).ratioTo(r.get(0))),
              Report.median(runs, LoadRun::nodeCpuMicrosPerCall)));
    }
    out.println();
    boolean met = true;
    for (int j = 2; j < rows.size(); j++) {
      int row = j;
      double vsStateless = Report.median(rounds, r -> r.get(row).ratioTo(r.get(0)));
      double vsAddItem = Report.median(rounds, r -> r.get(row).ratioTo(r.get(1)));
      double rate = Report.median(rounds.stream().map(r -> r.get(row)).toList(), LoadRun::callsPerSecond);
      boolean ok = vsStateless > TOMCAT_RATIO;
      met &= ok;
      out.printf(
          Locale.ROOT,
          "%s: %,.0f calls/s = %.1f%% of the standalone node's addItem, %.1f%% of its stateless"
              + " greet. Tomcat 11 DeltaManager (sync) on this machine: ~%,.0f/s, ~%.0f%% of its"
              + " stateless rate (the issue's figures; cohort-bench/reference/tomcat/run measures"
              + " them with this load). Share of the stateless rate better than Tomcat's: %s; rate %s"
              + " Tomcat's.%n",
          rows.get(j).label(),
          rate,
          100 * vsAddItem,
          100 * vsStateless,
          TOMCAT_RATE,
          100 * TOMCAT_RATIO,
          ok ? "yes" : "NO",
          rate > TOMCAT_RATE ? "above" : "below");
    }
    return met ? StatefulBenchmarks.OK : StatefulBenchmarks.TARGET_MISSED;
  }

  private static String shares(Row row, LoadRun run) {
    if (!row.deployment().stateful()) {
      return "-";
    }
    long total = run.result().correctByPort().values().stream().mapToLong(Long::longValue).sum();
    List<String> parts = new ArrayList<>();
    for (int port : row.deployment().ports()) {
      long n = run.result().correctByPort().getOrDefault(port, 0L);
      parts.add(String.format(Locale.ROOT, "%.0f%%", total == 0 ? 0.0 : 100.0 * n / total));
    }
    return String.join(" / ", parts);
  }

  private int failed(Wrk wrk, String phase, Row row, WrkResult result) throws IOException {
    out.printf("%nFAILED: %s during %s: %s%n", row.label(), phase, result.problems());
    for (String sample : wrk.samples(phase)) {
      out.println("  " + sample);
    }
    out.println("A benchmark of errors is worthless; fix the cause and run it again.");
    return StatefulBenchmarks.FAILED;
  }

  private static String slug(Row row) {
    return (row.deployment().stateful() ? row.deployment().nodes().getFirst().name() : "single")
        .replaceAll("-1$", "")
        + "-" + row.target().name();
  }
}
