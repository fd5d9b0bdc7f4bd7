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
 */
public record ClusterConfig(
    boolean enabled,
    String name,
    Mode mode,
    Duration sessionTimeout,
    String logicalHostname,
    String advertiseHost,
    Duration registryHeartbeat,
    Duration registryTimeout) {

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

  static final List<Setting<?>> SETTINGS =
      List.of(
          ENABLED,
          NAME,
          MODE,
          SESSION_TIMEOUT,
          LOGICAL_HOSTNAME,
          ADVERTISE_HOST,
          REGISTRY_HEARTBEAT,
          REGISTRY_TIMEOUT);

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
        v.get(REGISTRY_TIMEOUT));
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
