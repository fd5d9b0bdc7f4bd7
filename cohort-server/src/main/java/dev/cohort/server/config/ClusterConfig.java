package dev.cohort.server.config;

import static dev.cohort.server.config.Setting.Tier.ESSENTIAL;
import static dev.cohort.server.config.Setting.Tier.FREQUENT;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;

/**
 * Clustering (webMethods' names where the seeds have them).
 *
 * @param enabled whether this node is a cluster member
 * @param name the cluster name as configured
 * @param mode stateless (sessions stay on each node) or stateful (sessions shared)
 * @param sessionTimeout idle timeout of sessions while clustered (overrides {@code session.timeout})
 * @param logicalHostname this node's unique name in the cluster
 * @param advertiseHost the host name other nodes and clients reach this node by
 * @param registryHeartbeat how often this node heartbeats its row in the shared database
 * @param registryTimeout a member whose heartbeat is older than this is no longer live
 * @param transport how the nodes of a stateful cluster talk to each other
 * @param replication where a stateful cluster keeps copies of each session
 * @param backups copies besides the primary, in {@code backup} replication
 * @param failoverPriority what a partitioned stateful cluster favours
 * @param syncTimeout how long a session write waits for its copies before failing
 * @param maxSessionsInMemory most session copies this node keeps in memory; the rest wait on its
 *     local disk (0: no limit)
 */
public record ClusterConfig(
    boolean enabled,
    String name,
    Mode mode,
    Duration sessionTimeout,
    String logicalHostname,
    String advertiseHost,
    Duration registryHeartbeat,
    Duration registryTimeout,
    Transport transport,
    Replication replication,
    int backups,
    FailoverPriority failoverPriority,
    Duration syncTimeout,
    int maxSessionsInMemory) {

  /**
   * The cluster transport of a stateful cluster (JGroups over TCP).
   *
   * @param host the address the transport binds to and announces
   * @param port the TCP port (failure detection also listens on {@code port + 100})
   * @param discovery how members find each other
   * @param members the static member list, {@code host:port} entries
   * @param multicastAddress the multicast group of multicast discovery
   * @param multicastPort its port
   * @param heartbeat how often members heartbeat each other
   * @param dropTime a member silent this long is suspected and, once verified, dropped
   * @param secret shared by every member: authenticates and encrypts all cluster traffic
   */
  public record Transport(
      String host,
      int port,
      Discovery discovery,
      List<String> members,
      String multicastAddress,
      int multicastPort,
      Duration heartbeat,
      Duration dropTime,
      Secret secret) {

    /**
     * {@code member} ({@code host:port}) as an unresolved socket address, or empty when it is not
     * of that form with a port in 1..65535.
     */
    public static java.util.Optional<java.net.InetSocketAddress> address(String member) {
      int colon = member.lastIndexOf(':');
      if (colon <= 0 || colon == member.length() - 1) {
        return java.util.Optional.empty();
      }
      try {
        int port = Integer.parseInt(member.substring(colon + 1));
        return port > 0 && port < 65_536
            ? java.util.Optional.of(
                java.net.InetSocketAddress.createUnresolved(member.substring(0, colon), port))
            : java.util.Optional.empty();
      } catch (NumberFormatException e) {
        return java.util.Optional.empty();
      }
    }
  }

  /** How members find each other. */
  public enum Discovery {
    STATIC,
    MULTICAST
  }

  /** Where copies of a session live. */
  public enum Replication {
    /** On every member (tc Server's DeltaManager). */
    ALL,
    /** On its primary owner plus {@code cluster.backups} others (tc Server's BackupManager). */
    BACKUP
  }

  /** What a split cluster favours (Terracotta's failover-priority). */
  public enum FailoverPriority {
    /** Every side keeps serving; sessions are merged when the sides meet again. */
    AVAILABILITY,
    /** A side without a majority refuses session work until it rejoins or is promoted. */
    CONSISTENCY
  }

  /** Whether sessions are shared between the nodes. */
  public enum Mode {
    STATELESS,
    STATEFUL
  }

  /** Longest effective cluster name; longer names are shortened (seed rule). */
  public static final int MAX_NAME = 32;

  static final Setting<Boolean> ENABLED =
      Setting.bool(
          "cluster.enabled",
          false,
          ESSENTIAL,
          "Make this node a member of a cluster. Needs a shared PostgreSQL database"
              + " (database.url).");
  static final Setting<String> NAME =
      Setting.string(
          "cluster.name",
          "cohort",
          ESSENTIAL,
          "The cluster's name; nodes with different names never see each other, even on one"
              + " database. Periods become underscores, and a name longer than 32 characters"
              + " becomes its first 20 characters plus a hash; the effective name is logged"
              + " and shown.");
  static final Setting<Mode> MODE =
      Setting.choice(
          "cluster.mode",
          Mode.STATELESS,
          Mode.class,
          ESSENTIAL,
          "stateless: sessions stay on the node that created them; stateful: sessions are"
              + " shared so a conversation continues on another node.");
  static final Setting<Duration> SESSION_TIMEOUT =
      Setting.duration(
          "cluster.session-timeout",
          "60",
          "m",
          Duration.ofMinutes(1),
          FREQUENT,
          "While clustered, a session idle this long expires (replaces session.timeout). A"
              + " bare number is in minutes, as in the seeds.");
  static final Setting<String> LOGICAL_HOSTNAME =
      Setting.string(
          "scheduler.logical-hostname",
          "",
          FREQUENT,
          "This node's unique name within the cluster (no ';'). Empty means node.name.");

  static final Setting<String> ADVERTISE_HOST =
      Setting.string(
          "cluster.advertise-host",
          "",
          FREQUENT,
          "The host name clients and other nodes reach this node by, in the member list"
              + " (GET /cluster/members). Empty: http.host, or this machine's host name when"
              + " http.host is 0.0.0.0.");
  static final Setting<Duration> REGISTRY_HEARTBEAT =
      Setting.duration(
          "cluster.registry-heartbeat",
          "2s",
          "ms",
          Duration.ofMillis(100),
          Setting.Tier.RARE,
          "How often a node of a stateless cluster heartbeats its row in the shared database"
              + " (and measures its clock skew against the database's clock).");
  static final Setting<Duration> REGISTRY_TIMEOUT =
      Setting.duration(
          "cluster.registry-timeout",
          "10s",
          "ms",
          Duration.ofMillis(300),
          Setting.Tier.RARE,
          "A member whose last heartbeat is older than this, by the database's clock, drops out"
              + " of the member list. Must be longer than cluster.registry-heartbeat.");

  static final Setting<String> TRANSPORT_HOST =
      Setting.string(
          "cluster.transport.host",
          "127.0.0.1",
          ESSENTIAL,
          "Stateful cluster: the address the cluster transport binds to. Set it to an address"
              + " the other members can reach; the loopback default only suits one machine.");
  static final Setting<Integer> TRANSPORT_PORT =
      Setting.integer(
          "cluster.transport.port",
          7800,
          1,
          65_435,
          ESSENTIAL,
          "Stateful cluster: the TCP port of the cluster transport. Failure detection also"
              + " listens on this port + 100.");
  static final Setting<Discovery> DISCOVERY =
      Setting.choice(
          "cluster.discovery",
          Discovery.STATIC,
          Discovery.class,
          FREQUENT,
          "Stateful cluster: how members find each other. static: the list in"
              + " cluster.transport.members; multicast: UDP multicast on"
              + " cluster.multicast.address and cluster.multicast.port.");
  static final Setting<String> TRANSPORT_MEMBERS =
      Setting.string(
          "cluster.transport.members",
          "",
          ESSENTIAL,
          "Stateful cluster, static discovery: the members' transport addresses as"
              + " host:port,host:port,... (this node's own entry may be included). A member"
              + " missing from the list can still join by listing one that is present.");
  static final Setting<String> MULTICAST_ADDRESS =
      Setting.string(
          "cluster.multicast.address",
          "228.0.0.4",
          Setting.Tier.RARE,
          "Stateful cluster, multicast discovery: the multicast group (tc Server's default).");
  static final Setting<Integer> MULTICAST_PORT =
      Setting.integer(
          "cluster.multicast.port",
          45_564,
          1,
          65_535,
          Setting.Tier.RARE,
          "Stateful cluster, multicast discovery: the multicast port (tc Server's default).");
  static final Setting<Duration> HEARTBEAT =
      Setting.duration(
          "cluster.heartbeat-frequency",
          "500ms",
          "ms",
          Duration.ofMillis(50),
          FREQUENT,
          "Stateful cluster: how often members send each other heartbeats.");
  static final Setting<Duration> DROP_TIME =
      Setting.duration(
          "cluster.drop-time",
          "3000ms",
          "ms",
          Duration.ofMillis(200),
          FREQUENT,
          "Stateful cluster: a member whose heartbeats stop for this long is suspected, checked"
              + " and dropped. A member that crashes is noticed at once by its closed"
              + " connection; this bounds the hung or cut-off case. Raise it on high-latency"
              + " networks to avoid false suspicions.");
  static final Setting<Secret> SECRET =
      Setting.secret(
          "cluster.secret",
          ESSENTIAL,
          "Stateful cluster: the secret every member shares (at least 16 characters). All"
              + " cluster traffic is encrypted and authenticated with a key derived from it and"
              + " the cluster name; a node without it cannot join or read anything. Prefer the"
              + " environment variable COHORT_CLUSTER_SECRET.");
  static final Setting<Replication> REPLICATION =
      Setting.choice(
          "cluster.replication",
          Replication.ALL,
          Replication.class,
          ESSENTIAL,
          "Stateful cluster: all: every member holds every session (small clusters, like tc"
              + " Server's DeltaManager); backup: each session lives on its primary owner plus"
              + " cluster.backups others (larger clusters, like BackupManager).");
  static final Setting<Integer> BACKUPS =
      Setting.integer(
          "cluster.backups",
          1,
          1,
          16,
          FREQUENT,
          "Stateful cluster, backup replication: copies of each session besides the primary"
              + " one. A write returns once every copy has it, so N backups survive N crashes.");
  static final Setting<FailoverPriority> FAILOVER_PRIORITY =
      Setting.choice(
          "cluster.failover-priority",
          FailoverPriority.AVAILABILITY,
          FailoverPriority.class,
          ESSENTIAL,
          "Stateful cluster, when the network splits it: availability: every side keeps"
              + " serving and sessions are merged attribute by attribute when the sides meet"
              + " again; consistency: a side without a majority answers session requests with"
              + " 503 (COH-SESSION-UNAVAILABLE) until it rejoins or an operator promotes it"
              + " (bin/cohort cluster failover-action).");
  static final Setting<Duration> SYNC_TIMEOUT =
      Setting.duration(
          "cluster.sync-timeout",
          "5s",
          "ms",
          Duration.ofMillis(100),
          Setting.Tier.RARE,
          "Stateful cluster: how long a session write waits for its copies before the call"
              + " fails with 503.");

  static final Setting<Integer> MAX_SESSIONS_IN_MEMORY =
      Setting.integer(
          "cluster.max-sessions-in-memory",
          10_000,
          0,
          Integer.MAX_VALUE,
          FREQUENT,
          "Stateful cluster: most session copies (its own and backups) this node keeps in memory,"
              + " the seeds' Maximum Elements In Memory. Beyond it the least recently used go to"
              + " the node's disk (<node.data-dir>/grid, emptied at start) and come back when"
              + " used; their ids stay in memory (about 100 bytes each plus the id). 0: no limit.");

  static final List<Setting<?>> SETTINGS =
      List.of(
          ENABLED,
          NAME,
          MODE,
          SESSION_TIMEOUT,
          LOGICAL_HOSTNAME,
          ADVERTISE_HOST,
          REGISTRY_HEARTBEAT,
          REGISTRY_TIMEOUT,
          TRANSPORT_HOST,
          TRANSPORT_PORT,
          DISCOVERY,
          TRANSPORT_MEMBERS,
          MULTICAST_ADDRESS,
          MULTICAST_PORT,
          HEARTBEAT,
          DROP_TIME,
          SECRET,
          REPLICATION,
          BACKUPS,
          FAILOVER_PRIORITY,
          SYNC_TIMEOUT,
          MAX_SESSIONS_IN_MEMORY);

  static ClusterConfig from(Values v, String nodeName) {
    String logical = v.get(LOGICAL_HOSTNAME).isBlank() ? nodeName : v.get(LOGICAL_HOSTNAME);
    return new ClusterConfig(
        v.get(ENABLED),
        v.get(NAME),
        v.get(MODE),
        v.get(SESSION_TIMEOUT),
        logical,
        v.get(ADVERTISE_HOST),
        v.get(REGISTRY_HEARTBEAT),
        v.get(REGISTRY_TIMEOUT),
        new Transport(
            v.get(TRANSPORT_HOST),
            v.get(TRANSPORT_PORT),
            v.get(DISCOVERY),
            java.util.Arrays.stream(v.get(TRANSPORT_MEMBERS).split(","))
                .map(String::strip)
                .filter(m -> !m.isEmpty())
                .toList(),
            v.get(MULTICAST_ADDRESS),
            v.get(MULTICAST_PORT),
            v.get(HEARTBEAT),
            v.get(DROP_TIME),
            v.get(SECRET)),
        v.get(REPLICATION),
        v.get(BACKUPS),
        v.get(FAILOVER_PRIORITY),
        v.get(SYNC_TIMEOUT),
        v.get(MAX_SESSIONS_IN_MEMORY));
  }

  /** Whether sessions are shared through the distributed cache. */
  public boolean stateful() {
    return enabled && mode == Mode.STATEFUL;
  }

  /**
   * The name nodes use to find each other: periods become underscores; longer than {@value
   * #MAX_NAME} characters, the first 20 characters plus 12 hex digits of the name's SHA-256.
   */
  public String effectiveName() {
    return effectiveName(name);
  }

  static String effectiveName(String configured) {
    String name = configured.replace('.', '_');
    if (name.length() <= MAX_NAME) {
      return name;
    }
    try {
      byte[] digest =
          MessageDigest.getInstance("SHA-256").digest(name.getBytes(StandardCharsets.UTF_8));
      return name.substring(0, 20) + HexFormat.of().formatHex(digest, 0, 6);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is required of every Java runtime", e);
    }
  }
}
