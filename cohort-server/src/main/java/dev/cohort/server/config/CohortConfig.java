package dev.cohort.server.config;

import java.util.ArrayList;
import java.util.List;

/**
 * The whole configuration of a node: one typed, validated, immutable tree. Build it with {@link
 * ConfigLoader}; tests may also use {@link #defaults()} and the records' {@code with*} copies.
 */
public record CohortConfig(
    NodeConfig node,
    HttpConfig http,
    AdminConfig admin,
    SessionConfig session,
    DatabaseConfig database,
    SecurityConfig security,
    PackagesConfig packages,
    LoggingConfig logging,
    ClusterConfig cluster,
    GdConfig gd,
    RemoteConfig remote) {

  /** Every setting, in documentation order. */
  public static List<Setting<?>> settings() {
    List<Setting<?>> all = new ArrayList<>();
    all.addAll(NodeConfig.SETTINGS);
    all.addAll(HttpConfig.SETTINGS);
    all.addAll(AdminConfig.SETTINGS);
    all.addAll(SessionConfig.SETTINGS);
    all.addAll(DatabaseConfig.SETTINGS);
    all.addAll(SecurityConfig.SETTINGS);
    all.addAll(PackagesConfig.SETTINGS);
    all.addAll(LoggingConfig.SETTINGS);
    all.addAll(ClusterConfig.SETTINGS);
    all.addAll(GdConfig.SETTINGS);
    return List.copyOf(all);
  }

  static CohortConfig from(Values v, RemoteConfig remote) {
    NodeConfig node = NodeConfig.from(v);
    return new CohortConfig(
        node,
        HttpConfig.from(v),
        AdminConfig.from(v),
        SessionConfig.from(v),
        DatabaseConfig.from(v),
        SecurityConfig.from(v),
        PackagesConfig.from(v),
        LoggingConfig.from(v),
        ClusterConfig.from(v, node.name()),
        GdConfig.from(v),
        remote);
  }

  /** The idle timeout of sessions: {@code cluster.session-timeout} while clustered. */
  public java.time.Duration sessionTimeout() {
    return cluster.enabled() ? cluster.sessionTimeout() : session.timeout();
  }

  /** The configuration with every default and nothing else. */
  public static CohortConfig defaults() {
    return ConfigLoader.load(ConfigSources.none()).config();
  }
}
