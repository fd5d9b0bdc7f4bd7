package dev.cohort.server.config;

import static dev.cohort.server.config.Setting.Tier.ESSENTIAL;
import static dev.cohort.server.config.Setting.Tier.FREQUENT;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * The node itself.
 *
 * @param name shown in {@code X-Cohort-Node} and every log line
 * @param dataDir where the node keeps its embedded database and other state
 * @param shutdownTimeout how long in-flight requests may run after SIGTERM
 */
public record NodeConfig(String name, Path dataDir, Duration shutdownTimeout) {

  static final Setting<String> NAME =
      Setting.string(
          "node.name",
          "",
          ESSENTIAL,
          "Name of this node, sent in the X-Cohort-Node header and written in every log line."
              + " Empty means the host name.");
  static final Setting<Path> DATA_DIR =
      Setting.path(
          "node.data-dir",
          "./data",
          ESSENTIAL,
          "Directory for the node's own state (the embedded H2 database lives in its db"
              + " sub-directory). Created if missing.");
  static final Setting<Duration> SHUTDOWN_TIMEOUT =
      Setting.duration(
          "node.shutdown-timeout",
          "30s",
          "s",
          Duration.ZERO,
          FREQUENT,
          "On SIGTERM the node stops accepting requests and waits this long for in-flight"
              + " requests to finish before closing.");

  static final List<Setting<?>> SETTINGS = List.of(NAME, DATA_DIR, SHUTDOWN_TIMEOUT);

  static NodeConfig from(Values v) {
    String name = v.get(NAME).isBlank() ? hostName() : v.get(NAME);
    return new NodeConfig(name, v.get(DATA_DIR), v.get(SHUTDOWN_TIMEOUT));
  }

  private static String hostName() {
    try {
      return InetAddress.getLocalHost().getHostName();
    } catch (UnknownHostException e) {
      return "localhost";
    }
  }
}
