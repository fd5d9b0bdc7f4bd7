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
import java.util.TreeMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * {@code cohort-bench/run failover}: on a 2-node stateful cluster, {@code --clients}
 * conversations add items to their carts on one node; that node is SIGKILLed; each client retries
 * at once on the survivor. Measured per client: from the kill to its first successful call there,
 * with its cart intact (every acknowledged item, in order). The survivor's log gives the moment it
 * installed the view without the killed node. The killed node is started again, and the cluster
 * settles, before the next kill; kills alternate between the coordinator and the other node.
 */
final class FailoverBenchmark {

  /** The failover time the issue asks for. */
  static final Duration TARGET = Duration.ofMillis(100);

  private static final String VIEW_CHANGED = "COH.0700.0012I";
  private static final int ITEMS_BEFORE_KILL = 5;
  /** A kill this slow prints the survivor's timeline whatever its number. */
  private static final Duration SLOW = Duration.ofSeconds(1);

  /**
   * One kill.
   *
   * @param killedCoordinator whether the killed node coordinated the cluster
   * @param viewChangeMillis from the kill to the survivor logging its new view; empty if it did
   *     not log one
   * @param recoveryMillis each client's time from the kill to its first successful call
   * @param outcomes what the failed retries answered, with counts
   * @param rejoinMillis from starting the killed node again to a settled cluster
   * @param refusedStarts starts of the killed node refused because the database still listed it
   */
  private record Kill(
      Deployment.Replication replication,
      int number,
      String killed,
      boolean killedCoordinator,
      Optional<Double> viewChangeMillis,
      List<Double> recoveryMillis,
      Map<String, Integer> outcomes,
      double rejoinMillis,
      int refusedStarts) {

    double first() {
      return recoveryMillis.stream().mapToDouble(Double::doubleValue).min().orElseThrow();
    }

    double last() {
      return recoveryMillis.stream().mapToDouble(Double::doubleValue).max().orElseThrow();
    }
  }

  private final StatefulOptions options;
  private final Rig rig;
  private final PrintStream out;
  private final Client admin = new Client(Duration.ofSeconds(30));

  FailoverBenchmark(StatefulOptions options, Rig rig) {
    this.options = options;
    this.rig = rig;
    this.out = rig.out();
  }

  int run() throws Exception {
    out.printf(
        Locale.ROOT,
        "%nFailover: 2-node stateful clusters, %d kill(s) per replication, %d conversation(s) per"
            + " kill (%d items each before the kill, %d ms think time, retries without pause;"
            + " credentials %s)%n",
        options.kills(), options.clients(), ITEMS_BEFORE_KILL, Conversation.THINK.toMillis(),
        options.credentialsEveryCall()
            ? "with every call"
            : "on the first call, then the session id alone");
    List<Kill> kills = new ArrayList<>();
    for (Deployment.Replication r : options.replications()) {
      out.printf("starting the cluster (replication=%s)...%n", r.setting());
      try (Deployment cluster = rig.stateful("failover-" + r.setting(), 2, r)) {
        for (int k = 1; k <= options.kills(); k++) {
          Optional<Kill> kill = killOnce(cluster, r, k);
          if (kill.isEmpty()) {
            return StatefulBenchmarks.FAILED;
          }
          kills.add(kill.get());
          Kill done = kill.get();
          out.printf(
              Locale.ROOT,
              "  %s kill %d of %s%s: view change %s, clients recovered %.0f..%.0f ms, node back in"
                  + " %.1f s%n",
              r.setting(), k, done.killed(), done.killedCoordinator() ? " (coordinator)" : "",
              done.viewChangeMillis().map(v -> String.format(Locale.ROOT, "%.0f ms", v)).orElse("not logged"),
              done.first(), done.last(), done.rejoinMillis() / 1000);
        }
      }
    }
    return report(kills);
  }

  private Optional<Kill> killOnce(Deployment cluster, Deployment.Replication r, int number)
      throws IOException, InterruptedException {
    String coordinator = coordinator(cluster);
    // Alternate: odd kills take the coordinator, even ones the other node.
    int victimIndex = cluster.node(0).name().equals(coordinator) == (number % 2 == 1) ? 0 : 1;
    NodeProcess victim = cluster.node(victimIndex);
    NodeProcess survivor = cluster.node(1 - victimIndex);
    String what = r.setting() + " kill " + number;

    List<Conversation> conversations = new ArrayList<>();
    List<Thread> threads = startConversations(cluster, victim, survivor, what, conversations);
    if (threads.isEmpty()) {
      return Optional.empty();
    }
    long killedAt = System.nanoTime();
    victim.kill();
    long goneAt = System.nanoTime();
    for (Thread t : threads) {
      t.join(Conversation.GIVE_UP.plusSeconds(30).toMillis());
    }

    List<Double> recovery = new ArrayList<>();
    Map<String, Integer> outcomes = new TreeMap<>();
    for (Conversation c : conversations) {
      Optional<String> wrong = c.checkCart(survivor);
      if (wrong.isEmpty() && c.failedAt() < killedAt) {
        wrong = Optional.of("a call failed before the kill");
      }
      if (wrong.isPresent() || !c.recovered()) {
        out.printf(
            "%nFAILED: %s: a conversation's session did not survive intact: %s%n", what,
            wrong.orElse("no successful call on the survivor"));
        out.println("survivor's log (last 30 lines):\n" + survivor.tail(30));
        saveLogs(what, killedAt, victim, survivor);
        return Optional.empty();
      }
      recovery.add(c.recoveryNanos(killedAt) / 1e6);
      c.retryOutcomes().forEach((k, v) -> outcomes.merge(k, v, Integer::sum));
    }
    // The first two kills (one of each kind), and any slow one, so that an outlier shows why:
    // then also the survivor's warnings and cluster views from before the kill.
    boolean slow = recovery.stream().anyMatch(ms -> ms > SLOW.toMillis());
    if (slow) {
      out.printf("    a slow kill; %s's warnings and views before it:%n", survivor.name());
      survivor.linesBefore(killedAt).stream()
          .map(NodeProcess.Line::text)
          .filter(t -> t.contains(" WARN ") || t.contains(" ERROR ") || t.contains("ISPN000094")
              || t.contains("ISPN000093") || t.contains("COH.0700."))
          .forEach(t -> out.println("      " + t));
    }
    if (number <= 2 || slow) {
      printTimeline(survivor, killedAt, goneAt, recovery);
    }
    Optional<Double> viewChange =
        survivor.linesSince(killedAt, VIEW_CHANGED).stream()
            .findFirst()
            .map(l -> (l.nanos() - killedAt) / 1e6);

    long restartAt = System.nanoTime();
    int refused = cluster.restart(victimIndex);
    double rejoin = (System.nanoTime() - restartAt) / 1e6;
    // A restarted node should join; one that founded a cluster of its own merged later instead.
    if (!cluster.node(victimIndex).linesSince(restartAt, "ISPN000093").isEmpty()) {
      out.printf(
          "    %s: %s did not join on restart; it formed a cluster of its own and merged (ISPN000093)%n",
          what, victim.name());
    }
    // The carts are whole on the restarted node too, once it has its copies back.
    for (Conversation c : conversations) {
      Optional<String> wrong = c.checkCart(cluster.node(victimIndex));
      if (wrong.isPresent()) {
        out.printf("%nFAILED: %s: after the rejoin: %s%n", what, wrong.get());
        saveLogs(what, killedAt, victim, survivor, cluster.node(victimIndex));
        return Optional.empty();
      }
    }
    return Optional.of(
        new Kill(
            r, number, victim.name(), victim.name().equals(coordinator), viewChange, recovery,
            outcomes, rejoin, refused));
  }

  /**
   * Starts {@code --clients} conversations on {@code victim} (added to {@code conversations}) and
   * waits until each has {@link #ITEMS_BEFORE_KILL} items acknowledged.
   *
   * @return their threads, or none if they did not get going (the failure is printed)
   */
  private List<Thread> startConversations(
      Deployment cluster,
      NodeProcess victim,
      NodeProcess survivor,
      String what,
      List<Conversation> conversations)
      throws InterruptedException {
    Client client = new Client(Duration.ofSeconds(30));
    CountDownLatch steady = new CountDownLatch(options.clients());
    List<Thread> threads = new ArrayList<>();
    for (int c = 1; c <= options.clients(); c++) {
      Conversation conversation =
          new Conversation(
              what.replace(" kill ", "-k") + "-c" + c, client, cluster.authorization(),
              options.credentialsEveryCall(), victim,
              survivor, steady, ITEMS_BEFORE_KILL);
      conversations.add(conversation);
      threads.add(Thread.ofPlatform().name("conversation-" + c).start(conversation));
    }
    boolean going = steady.await(60, TimeUnit.SECONDS);
    Optional<String> problem =
        conversations.stream().flatMap(c -> c.problem().stream()).findFirst();
    if (going && problem.isEmpty()) {
      return threads;
    }
    conversations.forEach(Conversation::stop);
    out.printf(
        "%nFAILED: %s: the conversations did not get going on %s: %s%n", what, victim.name(),
        problem.orElse("no items acknowledged within 60 s"));
    return List.of();
  }

  /**
   * Keeps the whole console output of {@code nodes} (the killed process first) in a directory that
   * outlives the run, on the kill's clock, and prints where.
   */
  private void saveLogs(String what, long killedAt, NodeProcess... nodes) {
    Path dir =
        Path.of(System.getProperty("java.io.tmpdir"))
            .resolve("cohort-bench-failed-" + what.replace(' ', '-') + "-" + System.currentTimeMillis());
    try {
      for (int i = 0; i < nodes.length; i++) {
        String role = i == 0 ? "killed" : i == 1 ? "survivor" : "restarted";
        nodes[i].saveLog(dir.resolve(role + "-" + nodes[i].name() + ".log"), killedAt);
      }
      out.println("the nodes' whole logs (times in ms from the kill): " + dir);
    } catch (IOException e) {
      out.println("could not keep the nodes' logs in " + dir + ": " + e.getMessage());
    }
  }

  /** What the survivor logged between the kill and the last client's success, on the kill's clock. */
  private void printTimeline(
      NodeProcess survivor, long killedAt, long goneAt, List<Double> recovery) {
    double last = recovery.stream().mapToDouble(Double::doubleValue).max().orElse(0);
    out.printf(
        Locale.ROOT,
        "    timeline: +0 ms SIGKILL sent; +%.0f ms the process is gone; %s's log:%n",
        (goneAt - killedAt) / 1e6, survivor.name());
    for (NodeProcess.Line line : survivor.linesSince(killedAt, "")) {
      double at = (line.nanos() - killedAt) / 1e6;
      if (at > last + 50) {
        break;
      }
      String text = line.text();
      int message = text.indexOf(" - ");
      out.printf(
          Locale.ROOT, "      +%.0f ms %s%n", at,
          message > 0 ? text.substring(message + 3) : text);
    }
    out.printf(
        Locale.ROOT, "      +%.0f..%.0f ms the clients' calls on %s succeed%n",
        recovery.stream().mapToDouble(Double::doubleValue).min().orElse(0), last, survivor.name());
  }

  private String coordinator(Deployment cluster) throws IOException, InterruptedException {
    return admin
        .get(cluster.node(0).adminUrl() + "/admin/api/cluster", cluster.adminAuthorization())
        .ok("GET /admin/api/cluster")
        .json()
        .path("grid")
        .path("coordinator")
        .asText();
  }

  private int report(List<Kill> kills) {
    out.println();
    out.println(
        "| replication | kill | killed node | view change on survivor | first client ok | last"
            + " client ok | failed retries (what they got) | back in the cluster (refused starts)"
            + " |");
    out.println("|---|---:|---|---:|---:|---:|---|---:|");
    for (Kill k : kills) {
      out.println(
          String.format(
              Locale.ROOT,
              "| %s | %d | %s%s | %s | %.0f ms | %.0f ms | %s | %.1f s (%d) |",
              k.replication().setting(),
              k.number(),
              k.killed(),
              k.killedCoordinator() ? " (coordinator)" : "",
              k.viewChangeMillis().map(v -> String.format(Locale.ROOT, "%.0f ms", v)).orElse("-"),
              k.first(),
              k.last(),
              k.outcomes().isEmpty() ? "none" : k.outcomes().toString(),
              k.rejoinMillis() / 1000,
              k.refusedStarts()));
    }
    out.println();
    out.println(
        "| replication | kills | clients | all clients ok, min / median / max | every single client,"
            + " min / median / max | view change, min / median / max |");
    out.println("|---|---:|---:|---:|---:|---:|");
    boolean met = true;
    for (Deployment.Replication r : options.replications()) {
      List<Kill> of = kills.stream().filter(k -> k.replication() == r).toList();
      List<Double> lasts = of.stream().map(Kill::last).toList();
      List<Double> all = of.stream().flatMap(k -> k.recoveryMillis().stream()).toList();
      List<Double> views = of.stream().flatMap(k -> k.viewChangeMillis().stream()).toList();
      out.println(
          String.format(
              Locale.ROOT,
              "| %s | %d | %d | %s | %s | %s |",
              r.setting(), of.size(), options.clients(), spread(lasts), spread(all),
              views.isEmpty() ? "-" : spread(views)));
      met &= Report.median(lasts, Double::doubleValue) <= TARGET.toMillis();
    }
    out.println();
    out.printf(
        Locale.ROOT,
        "Target: every conversation continues on the survivor within %d ms of the kill (median"
            + " over kills): %s%n",
        TARGET.toMillis(),
        met ? "met" : "NOT MET");
    return met ? StatefulBenchmarks.OK : StatefulBenchmarks.TARGET_MISSED;
  }

  private static String spread(List<Double> values) {
    List<Double> sorted = values.stream().sorted().toList();
    return String.format(
        Locale.ROOT,
        "%.0f / %.0f / %.0f ms",
        sorted.getFirst(),
        Report.median(sorted, Double::doubleValue),
        sorted.getLast());
  }
}
