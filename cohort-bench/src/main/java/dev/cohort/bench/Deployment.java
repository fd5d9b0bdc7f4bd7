package dev.cohort.bench;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * The nodes of one benchmark target, each in its own JVM ({@link NodeProcess}) on loopback: one
 * standalone node, or the members of a stateful cluster. Every node runs with the defaults except
 * where it listens, keeps its data and finds its packages and database (the cluster's heartbeat,
 * drop time, timeouts and session settings are the defaults). The deployment has its own database
 * on the shared PostgreSQL server, a random admin password and cluster secret (passed as
 * environment variables, not on the command line), and an ordinary user {@code bench} with a
 * random password, created through the admin API.
 */
final class Deployment implements AutoCloseable {

  /** Where a stateful cluster keeps its copies ({@code cluster.replication}). */
  enum Replication {
    ALL,
    BACKUP;

    String setting() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  static final String USER = "bench";
  private static final Duration SETTLE_TIMEOUT = Duration.ofMinutes(2);
  private static final Pattern METRIC_LINE =
      Pattern.compile("^(cohort_cluster_(?:sent|received)_bytes_total)(?:\\{[^}]*})? ([0-9.eE+-]+)$");

  /**
   * What a deployment is made of.
   *
   * @param label how the report names it
   * @param settings each node's settings, in start order
   * @param replication the cluster's replication; empty for a standalone node
   * @param transportPorts the members' cluster transport ports
   */
  private record Layout(
      String label,
      List<Map<String, String>> settings,
      Optional<Replication> replication,
      List<Integer> transportPorts) {}

  private final Layout layout;
  private final NodeProcess.Launcher launcher;
  private final Path dir;
  private final Map<String, String> env = new LinkedHashMap<>();
  private final List<NodeProcess> nodes = new ArrayList<>();
  private final String adminAuthorization;
  private final String password = randomSecret();
  private final String authorization = Client.basic(USER, password);
  private final Client client = new Client(Duration.ofSeconds(30));

  /** Random admin password and cluster secret, passed in the environment, not on command lines. */
  private Deployment(Layout layout, NodeProcess.Launcher launcher, Path dir) {
    this.layout = layout;
    this.launcher = launcher;
    this.dir = dir;
    String adminPassword = randomSecret();
    this.adminAuthorization = Client.basic("Administrator", adminPassword);
    env.put("COHORT_ADMIN_PASSWORD", adminPassword);
    env.put("COHORT_DATABASE_PASSWORD", Postgres.PASSWORD);
    if (layout.replication().isPresent()) {
      env.put("COHORT_CLUSTER_SECRET", randomSecret());
    }
  }

  /**
   * One standalone node (not clustered) named {@code name}, with a database of its own on the
   * rig's server and the rig's extra settings.
   */
  static Deployment standalone(Rig rig, String name) throws IOException, InterruptedException {
    Map<String, String> s = common(rig);
    return start(
        new Layout(name + " (standalone)", List.of(named(s, name)), Optional.empty(), List.of()),
        rig.launcher(), rig.work().resolve(name));
  }

  /**
   * A stateful cluster of {@code size} nodes ({@code <name>-1}, {@code <name>-2}, …) keeping
   * copies as {@code replication} says ({@code cluster.backups} stays at its default, 1), on one
   * database of its own on the rig's server, with the rig's extra settings. Returns once every node
   * sees all members and no cache is rebalancing.
   */
  static Deployment stateful(Rig rig, String name, int size, Replication replication)
      throws IOException, InterruptedException {
    Map<String, String> s = common(rig);
    List<Integer> transportPorts = transportPorts(size);
    s.put("cluster.enabled", "true");
    s.put("cluster.mode", "stateful");
    s.put("cluster.name", name);
    s.put("cluster.replication", replication.setting());
    s.put("cluster.transport.host", "127.0.0.1");
    s.put(
        "cluster.transport.members",
        transportPorts.stream().map(p -> "127.0.0.1:" + p).collect(Collectors.joining(",")));
    List<Map<String, String>> perNode = new ArrayList<>();
    for (int i = 0; i < size; i++) {
      Map<String, String> node = named(s, name + "-" + (i + 1));
      node.put("cluster.transport.port", Integer.toString(transportPorts.get(i)));
      perNode.add(node);
    }
    return start(
        new Layout(
            name + " (" + size + "-node stateful, replication=" + replication.setting() + ")",
            perNode, Optional.of(replication), transportPorts),
        rig.launcher(), rig.work().resolve(name));
  }

  /**
   * The settings every node gets: the rig's extra ones ({@code --set}), then where it listens,
   * finds its packages and database (these win over the extra ones).
   */
  private static Map<String, String> common(Rig rig) {
    Map<String, String> s = new LinkedHashMap<>(rig.nodeSettings());
    s.put("http.host", "127.0.0.1");
    s.put("admin.host", "127.0.0.1");
    s.put("node.shutdown-timeout", "5s");
    s.put("packages.dir", rig.packages().toString());
    s.put("database.url", rig.postgres().newDatabase());
    s.put("database.user", Postgres.USER);
    return s;
  }

  private static Map<String, String> named(Map<String, String> common, String name) {
    Map<String, String> s = new LinkedHashMap<>(common);
    s.put("node.name", name);
    return s;
  }

  private static Deployment start(Layout layout, NodeProcess.Launcher launcher, Path dir)
      throws IOException, InterruptedException {
    Deployment d = new Deployment(layout, launcher, dir);
    try {
      // One after the other: the first forms the cluster, the others join it (started together,
      // they could each form one and merge seconds later).
      for (int i = 0; i < layout.settings().size(); i++) {
        d.nodes.add(d.launch(i));
      }
      d.awaitSettled();
      d.createUser();
      return d;
    } catch (IOException | InterruptedException | RuntimeException e) {
      d.close();
      throw e;
    }
  }

  private NodeProcess launch(int i) throws IOException, InterruptedException {
    Map<String, String> settings = layout.settings().get(i);
    String name = settings.get("node.name");
    return NodeProcess.start(launcher, name, dir.resolve(name), settings, env);
  }

  String label() {
    return layout.label();
  }

  /** The JDBC URL of the deployment's database (user and password: postgres). */
  String databaseUrl() {
    return layout.settings().getFirst().get("database.url");
  }

  boolean stateful() {
    return layout.replication().isPresent();
  }

  List<NodeProcess> nodes() {
    return List.copyOf(nodes);
  }

  NodeProcess node(int i) {
    return nodes.get(i);
  }

  /** The primary ports of the nodes, in order. */
  List<Integer> ports() {
    return nodes.stream().map(NodeProcess::port).toList();
  }

  /**
   * The ports the cluster members talk to each other on: each transport port and its failure
   * detection port ({@code +100}); empty for a standalone node.
   */
  Set<Integer> clusterPorts() {
    Set<Integer> ports = new TreeSet<>();
    for (int p : layout.transportPorts()) {
      ports.add(p);
      ports.add(p + 100);
    }
    return ports;
  }

  /** The {@code Authorization} header of the ordinary user {@code bench}. */
  String authorization() {
    return authorization;
  }

  String adminAuthorization() {
    return adminAuthorization;
  }

  /**
   * Starts node {@code i} again (after it was killed) with its data directory and settings, and
   * waits until the cluster has it back and has finished moving sessions to it.
   *
   * <p>A node refuses to start while the shared database still lists a live node of its name, and
   * a SIGKILLed node stays listed until its heartbeat is {@code cluster.registry-timeout} (10 s)
   * old; so a start refused for that reason is tried again every second, for up to a minute.
   *
   * @return how many starts were refused that way
   */
  int restart(int i) throws IOException, InterruptedException {
    if (nodes.get(i).alive()) {
      throw new IllegalStateException(nodes.get(i).name() + " is still running");
    }
    long deadline = System.nanoTime() + Duration.ofMinutes(1).toNanos();
    int refused = 0;
    while (true) {
      try {
        nodes.set(i, launch(i));
        break;
      } catch (BenchException e) {
        if (!e.getMessage().contains("is already in cluster") || System.nanoTime() > deadline) {
          throw e;
        }
        refused++;
        Thread.sleep(1_000);
      }
    }
    awaitSettled();
    return refused;
  }

  /**
   * Waits until every node's view holds every node, and every cache on every node has every node
   * among its owners, is not rebalancing and is available (at once for a standalone node).
   *
   * @throws BenchException if that takes more than two minutes
   */
  void awaitSettled() throws IOException, InterruptedException {
    if (!stateful()) {
      return;
    }
    long deadline = System.nanoTime() + SETTLE_TIMEOUT.toNanos();
    String last = "";
    while (System.nanoTime() < deadline) {
      boolean settled = true;
      for (NodeProcess node : nodes) {
        JsonNode grid =
            client.get(node.adminUrl() + "/admin/api/cluster", adminAuthorization)
                .ok("GET /admin/api/cluster on " + node.name())
                .json()
                .path("grid");
        last = node.name() + ": " + grid;
        settled &= grid.path("members").size() == nodes.size();
        for (JsonNode cache : grid.path("caches")) {
          // "settled" too (owners are the view's members): right after a merge view, each side
          // still shows its own one-member topology, not rebalancing, until the caches merge.
          settled &=
              !cache.path("rebalancing").asBoolean(true)
                  && "available".equals(cache.path("availability").asText())
                  && cache.path("settled").asBoolean(false);
        }
      }
      if (settled) {
        return;
      }
      Thread.sleep(100);
    }
    throw new BenchException(
        layout.label() + " did not settle (all members in every view and every cache, no rebalancing) within "
            + SETTLE_TIMEOUT.toMinutes() + " min; last seen " + last);
  }

  private void createUser() throws IOException, InterruptedException {
    Client.Reply created =
        client.post(
            nodes.getFirst().adminUrl() + "/admin/api/users",
            "{\"name\":\"" + USER + "\",\"password\":" + Client.quote(password) + "}",
            Optional.of(adminAuthorization),
            Optional.empty());
    if (created.status() != 201) {
      throw new BenchException(
          "could not create the benchmark user through the admin API of " + nodes.getFirst().name()
              + ": " + created.status() + " " + created.body());
    }
    // The other nodes read users from the shared database every few seconds.
    for (NodeProcess node : nodes) {
      long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
      while (true) {
        Client.Reply r =
            client.post(
                node.baseUrl() + "/invoke/samples.hello/greet", "{\"name\":\"Ada\"}",
                Optional.of(authorization), Optional.empty());
        if (r.status() == 200) {
          break;
        }
        if (System.nanoTime() > deadline) {
          throw new BenchException(
              node.name() + " does not accept the benchmark user: " + r.status() + " " + r.body());
        }
        Thread.sleep(200);
      }
    }
  }

  /**
   * Payload bytes every node has sent to and received from other members so far ({@code
   * cohort_cluster_sent_bytes_total} and {@code …_received_…} of each node's {@code /metrics}),
   * added up over the nodes.
   */
  ClusterBytes clusterBytes() throws IOException, InterruptedException {
    long sent = 0;
    long received = 0;
    for (NodeProcess node : nodes) {
      Client.Reply metrics =
          client.get(node.adminUrl() + "/metrics", adminAuthorization)
              .ok("GET /metrics on " + node.name());
      Map<String, Double> values = new LinkedHashMap<>();
      for (String line : metrics.body().lines().toList()) {
        Matcher m = METRIC_LINE.matcher(line);
        if (m.matches()) {
          values.merge(m.group(1), Double.parseDouble(m.group(2)), Double::sum);
        }
      }
      Double s = values.get("cohort_cluster_sent_bytes_total");
      Double r = values.get("cohort_cluster_received_bytes_total");
      if (s == null || r == null) {
        throw new BenchException(
            node.name() + "'s /metrics has no cohort_cluster_sent_bytes_total or"
                + " cohort_cluster_received_bytes_total; is it a stateful cluster member?");
      }
      sent += s.longValue();
      received += r.longValue();
    }
    return new ClusterBytes(sent, received);
  }

  /** Bytes sent and received between cluster members, added up over the nodes. */
  record ClusterBytes(long sent, long received) {

    ClusterBytes minus(ClusterBytes earlier) {
      return new ClusterBytes(sent - earlier.sent, received - earlier.received);
    }
  }

  /** CPU time all nodes have used so far, if {@code /proc} can be read. */
  Optional<Long> cpuNanos() {
    long total = 0;
    for (NodeProcess node : nodes) {
      Optional<Long> cpu = node.cpuNanos();
      if (cpu.isEmpty()) {
        return Optional.empty();
      }
      total += cpu.get();
    }
    return Optional.of(total);
  }

  @Override
  public void close() {
    for (int i = nodes.size() - 1; i >= 0; i--) {
      nodes.get(i).close();
    }
  }

  /**
   * {@code n} free loopback ports for cluster transports, each with its failure-detection port
   * ({@code +100}) free too.
   */
  private static List<Integer> transportPorts(int n) throws IOException {
    List<Integer> ports = new ArrayList<>();
    int candidate = ThreadLocalRandom.current().nextInt(20_000, 40_000);
    while (ports.size() < n) {
      if (!ports.contains(candidate - 100) && free(candidate) && free(candidate + 100)) {
        ports.add(candidate);
      }
      candidate++;
    }
    return ports;
  }

  private static boolean free(int port) {
    try (ServerSocket s = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  /** 32 random hex digits. */
  private static String randomSecret() {
    byte[] bytes = new byte[16];
    new SecureRandom().nextBytes(bytes);
    return HexFormat.of().formatHex(bytes);
  }
}
