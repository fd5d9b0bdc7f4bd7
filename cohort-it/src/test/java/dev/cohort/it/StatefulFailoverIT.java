package dev.cohort.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cohort.it.CartLedger.Attempt;
import dev.cohort.it.CartLedger.Outcome;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.Callable;
import java.util.function.IntPredicate;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.io.TempDir;

/**
 * Three node JVMs of a stateful cluster on one PostgreSQL, with clients spreading sessions and
 * calls over all of them. One node is SIGKILLed mid-load: every session, those created on it
 * included, continues on the survivors with every item a client was told was added, exactly
 * once, in order, and nothing else, whichever node reads it. Restarted while the load goes on,
 * the node rejoins, is ready within seconds and takes calls for every session, and every node
 * then reads every cart in full. Once with one backup copy per session, once with
 * a copy on every node.
 *
 * <p>The nodes' output is kept in {@code target/node-logs/<test>/}.
 */
class StatefulFailoverIT {

  private static final String PASSWORD = StatefulCluster.PASSWORD;
  private static final int SESSIONS = 60;
  private static final int SHOPPERS = 6;
  /** Acknowledged items every cart has before the kill. */
  private static final int ITEMS_BEFORE_KILL = 3;
  /** Items every cart gets acknowledged after the kill before the load stops. */
  private static final int ITEMS_AFTER_KILL = 3;
  /** Between two calls of a client: keeps the load below what starves a restarting node. */
  private static final Duration THINK_TIME = Duration.ofMillis(50);
  private static final Duration STARTUP = StatefulCluster.STARTUP;
  /** How long the database registry keeps the name of a node that stopped heartbeating. */
  private static final Duration REGISTRY_TIMEOUT = StatefulCluster.REGISTRY_TIMEOUT;
  private static final Path LOGS = StatefulCluster.LOGS;

  /** Which member is killed. */
  private enum Victim {
    /** The coordinator of views and cache topologies: both move to a survivor. */
    COORDINATOR,
    /** A member that coordinates nothing. */
    ANOTHER_MEMBER
  }

  @TempDir Path dir;
  private final List<NodeProcess> launched = new ArrayList<>();
  private final NodeClient client = new NodeClient(PASSWORD, Duration.ofSeconds(20));
  private StatefulCluster cluster;
  private final List<Load> loads = new ArrayList<>();
  private String test;

  @BeforeEach
  void name(TestInfo info) {
    test = info.getTestMethod().orElseThrow().getName();
    cluster = new StatefulCluster(dir, launched, client);
  }

  @AfterEach
  void stop() throws Exception {
    loads.forEach(Load::close);
    for (NodeProcess n : launched) {
      n.close();
    }
    // The nodes' output outlives the temporary directory, for whoever reads a failure.
    cluster.saveLogs(test);
  }

  @Test
  void withOneBackupEverySessionOutlivesASigkilledCoordinator() throws Exception {
    failover("backup", Victim.COORDINATOR, false);
  }

  @Test
  void withOneBackupTheKilledCoordinatorRestartedUnderLoadServesEverySession() throws Exception {
    failover("backup", Victim.COORDINATOR, true);
  }

  @Test
  void withACopyOnEveryNodeEverySessionOutlivesASigkilledMember() throws Exception {
    failover("all", Victim.ANOTHER_MEMBER, true);
  }

  private void failover(String replication, Victim choice, boolean restart) throws Exception {
    long begin = System.nanoTime();
    List<NodeProcess> nodes = cluster.start("failover-" + replication, replication);
    String coordinator = client.cluster(nodes.get(0)).path("grid").path("coordinator").asText();
    NodeProcess victim =
        nodes.stream()
            .filter(n -> n.name.equals(coordinator) == (choice == Victim.COORDINATOR))
            .findFirst()
            .orElseThrow();
    // Cart i is created on node i % 3, then gets items through every node in turn.
    List<CartLedger> carts =
        IntStream.range(0, SESSIONS).mapToObj(i -> new CartLedger(i, nodes.get(i % 3).name)).toList();
    Rotation rotation = new Rotation(nodes);
    // Data problems are gathered up to the end, so that one run shows how far a wrong copy spreads.
    Verdict verdict = new Verdict();
    System.out.printf(
        "StatefulFailoverIT %s: replication=%s, %d sessions, %d of them created on %s, the %s killed%n",
        test,
        replication,
        carts.size(),
        carts.stream().filter(c -> c.origin.equals(victim.name)).count(),
        victim.name,
        choice == Victim.COORDINATOR ? "coordinator" : "member");

    killMidLoad(victim, nodes, carts, rotation, verdict);
    if (restart) {
      restartUnderLoad(victim, nodes, carts, rotation, verdict);
    }

    System.out.printf(
        "  whole run %s; node logs in %s%n",
        seconds(System.nanoTime() - begin), NodeProcess.REPO.relativize(LOGS.resolve(test)));
    assertThat(verdict.problems()).as(verdict.histories()).isEmpty();
  }

  /**
   * SIGKILLs {@code victim} mid-load; the load goes on on the survivors. Then every cart, as each
   * survivor reads it, must be exactly what the clients were told.
   */
  private void killMidLoad(
      NodeProcess victim,
      List<NodeProcess> nodes,
      List<CartLedger> carts,
      Rotation rotation,
      Verdict verdict)
      throws Exception {
    List<NodeProcess> survivors = nodes.stream().filter(n -> n != victim).toList();
    Load load = shop(carts, rotation);
    awaitUnderLoad(
        load,
        "every cart holds " + ITEMS_BEFORE_KILL + " items",
        Duration.ofSeconds(120),
        () -> carts.stream().allMatch(c -> c.acknowledged() >= ITEMS_BEFORE_KILL));
    int[] beforeKill = carts.stream().mapToInt(CartLedger::acknowledged).toArray();
    load.killing();
    victim.kill();
    cluster.awaitGrid(survivors, Duration.ofSeconds(30));
    long settled = System.nanoTime() - load.killedAt();
    awaitUnderLoad(
        load,
        "every cart gets " + ITEMS_AFTER_KILL + " more items on the survivors",
        Duration.ofSeconds(120),
        () ->
            IntStream.range(0, SESSIONS)
                .allMatch(i -> carts.get(i).acknowledged() >= beforeKill[i] + ITEMS_AFTER_KILL));
    stop(load, verdict);
    List<CartLedger.Check> checks =
        verify("after the kill of " + victim.name, carts, survivors, verdict);

    long[] served =
        carts.stream().mapToLong(CartLedger::firstAcknowledgedAfterKillNanos).sorted().toArray();
    List<Attempt> keptDespite503 =
        checks.stream().flatMap(c -> c.keptDespite503().stream()).toList();
    System.out.printf(
        "  kill: %s; uncertain attempts kept %d, not kept %d%s%n"
            + "  kill -> first success on a survivor %s, every session served again %s,"
            + " survivors' grid settled %s%n",
        calls(load),
        checks.stream().mapToInt(CartLedger.Check::uncertainKept).sum(),
        checks.stream().mapToInt(CartLedger.Check::uncertainDropped).sum(),
        keptDespite503.isEmpty() ? "" : "; saved although answered 503: " + keptDespite503,
        seconds(served[0]),
        seconds(served[served.length - 1]),
        seconds(settled));
  }

  /**
   * Restarts {@code victim} while the load goes on: it is ready at once, takes calls for every
   * session, and every cart, read on it first and then on the others, is what the clients were
   * told.
   */
  private void restartUnderLoad(
      NodeProcess victim,
      List<NodeProcess> nodes,
      List<CartLedger> carts,
      Rotation rotation,
      Verdict verdict)
      throws Exception {
    NodeProcess survivor = nodes.stream().filter(n -> n != victim).findFirst().orElseThrow();
    cluster.awaitNameFree(victim, survivor);
    Load load = shop(carts, rotation);
    long relaunched = System.nanoTime();
    NodeProcess back = victim.restart();
    launched.add(back);
    await("restarted " + back.name + " ready")
        .atMost(STARTUP)
        .pollInterval(Duration.ofMillis(100))
        .failFast(back.name + " exited", () -> !back.alive())
        .until(() -> client.ready(back) == 200);
    long ready = System.nanoTime() - relaunched;
    JsonNode sessionsAtReady = StatefulCluster.sessionsCache(client.cluster(back).path("grid"));
    int[] beforeRejoin = carts.stream().mapToInt(c -> c.acknowledgedBy(back.name)).toArray();
    rotation.replace(victim, back);
    IntPredicate servedByBack = i -> carts.get(i).acknowledgedBy(back.name) > beforeRejoin[i];
    try {
      awaitUnderLoad(
          load,
          "every cart gets an item from restarted " + back.name,
          Duration.ofSeconds(30),
          () -> IntStream.range(0, SESSIONS).allMatch(servedByBack));
    } catch (ConditionTimeoutException e) {
      // Noted rather than thrown, so that the carts are still checked on every node.
      IntStream.range(0, SESSIONS)
          .filter(servedByBack.negate())
          .forEach(
              i ->
                  verdict.problem(
                      carts.get(i),
                      "cart " + i + ": restarted " + back.name
                          + " acknowledged none of the calls it got for it in 30 s"));
    }
    long servedAll = System.nanoTime() - relaunched;
    boolean servedEvery = IntStream.range(0, SESSIONS).allMatch(servedByBack);
    List<NodeProcess> rejoined = nodes.stream().map(n -> n == victim ? back : n).toList();
    cluster.awaitGrid(rejoined, Duration.ofSeconds(30));
    stop(load, verdict);
    List<NodeProcess> backFirst = new ArrayList<>(List.of(back));
    nodes.stream().filter(n -> n != victim).forEach(backFirst::add);
    verify("after the restart of " + back.name, carts, backFirst, verdict);

    System.out.printf(
        "  restart under load: %s%n"
            + "  restart -> ready %s (sessions cache there then: %d entries, rebalancing=%s),"
            + " every session served by it %s%n",
        calls(load),
        seconds(ready),
        sessionsAtReady.path("localEntries").asInt(),
        sessionsAtReady.path("rebalancing").asText(),
        servedEvery ? seconds(servedAll) : "NOT within 30 s");
  }

  /** Starts the clients, each with its share of the carts. */
  private Load shop(List<CartLedger> carts, Rotation rotation) {
    Load load = new Load(SHOPPERS);
    loads.add(load);
    for (int s = 0; s < SHOPPERS; s++) {
      List<CartLedger> own =
          IntStream.iterate(s, i -> i < carts.size(), i -> i + SHOPPERS).mapToObj(carts::get).toList();
      load.start(new Shopper(client, rotation, own, load), THINK_TIME);
    }
    return load;
  }

  /** Stops the clients, waiting for their calls in flight, and notes replies none should get. */
  private static void stop(Load load, Verdict verdict) throws InterruptedException {
    load.stop();
    load.unexpected().forEach(u -> verdict.problem("a reply no client should get: " + u));
  }

  /** Data problems found so far, and the carts they concern. */
  private static final class Verdict {
    private final List<String> problems = new ArrayList<>();
    private final Set<CartLedger> carts = new TreeSet<>(Comparator.comparingInt(c -> c.index));

    void problem(String problem) {
      problems.add(problem);
    }

    void problem(CartLedger cart, String problem) {
      problems.add(problem);
      carts.add(cart);
    }

    List<String> problems() {
      return problems;
    }

    String histories() {
      return "attempts of the carts concerned (item outcome@node), the first five:\n"
          + carts.stream().limit(5).map(CartLedger::history).collect(Collectors.joining("\n"));
    }
  }

  /**
   * Reads every cart on each of {@code readers}, in that order: they must all read the same, and
   * that must be what the clients were told.
   *
   * @return the verdict on each cart as the first reader reads it
   */
  private List<CartLedger.Check> verify(
      String when, List<CartLedger> carts, List<NodeProcess> readers, Verdict verdict)
      throws Exception {
    List<CartLedger.Check> checks = new ArrayList<>();
    for (CartLedger cart : carts) {
      Map<String, List<String>> reads = new LinkedHashMap<>();
      for (NodeProcess reader : readers) {
        reads.put(reader.name, client.listItems(reader, cart.session().orElseThrow()));
      }
      if (reads.values().stream().distinct().count() > 1) {
        verdict.problem(cart, "cart " + cart.index + " " + when + ": the nodes disagree: " + reads);
      }
      List<String> first = reads.values().iterator().next();
      CartLedger.Check check = cart.check(first);
      String where = " (" + when + ", read on " + readers.get(0).name + ")";
      check.problems().forEach(p -> verdict.problem(cart, p + where));
      checks.add(check);
    }
    return checks;
  }

  /** Waits for {@code condition} while the clients run; fails at once if a client fails. */
  private static void awaitUnderLoad(
      Load load, String what, Duration atMost, Callable<Boolean> condition) {
    await(what)
        .atMost(atMost)
        .pollInterval(Duration.ofMillis(100))
        .failFast("a client failed", load::checkClients)
        .until(condition);
  }

  private static String calls(Load load) {
    long acknowledged = load.count(Outcome.ACKNOWLEDGED);
    long attempts = 0;
    for (Outcome o : Outcome.values()) {
      attempts += load.count(o);
    }
    return ("%d addItem calls acknowledged in %d attempts, %d retries"
            + " (%d connection refused, %d uncertain, %d refused)")
        .formatted(
            acknowledged,
            attempts,
            attempts - acknowledged,
            load.count(Outcome.NOT_SENT),
            load.count(Outcome.UNCERTAIN),
            load.count(Outcome.REFUSED));
  }

  private static String seconds(long nanos) {
    return "%.2f s".formatted(nanos / 1e9);
  }
}
