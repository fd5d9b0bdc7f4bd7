package dev.cohort.server.config;

import static dev.cohort.server.config.Setting.Tier.ESSENTIAL;
import static dev.cohort.server.config.Setting.Tier.FREQUENT;

import java.util.List;

/**
 * The admin port: admin API, metrics and health, for Administrators only.
 *
 * @param host interface to bind
 * @param port the admin port; must differ from the primary port
 * @param metricsRequireAuth whether {@code /metrics} needs an Administrator's credentials
 */
public record AdminConfig(String host, int port, boolean metricsRequireAuth) {

  static final Setting<String> HOST =
      Setting.string(
          "admin.host",
          "127.0.0.1",
          FREQUENT,
          "Interface the admin port binds to. The default keeps it on this machine; set"
              + " 0.0.0.0 to manage the node from elsewhere.");
  static final Setting<Integer> PORT =
      Setting.port("admin.port", 9999, ESSENTIAL, "Admin port: admin API, /metrics, health.");
  static final Setting<Boolean> METRICS_REQUIRE_AUTH =
      Setting.bool(
          "admin.metrics-require-auth",
          true,
          FREQUENT,
          "Whether GET /metrics on the admin port needs an Administrator's credentials"
              + " (Prometheus: basic_auth). Set false to let any scraper that reaches the admin"
              + " port read it.");

  static final List<Setting<?>> SETTINGS = List.of(HOST, PORT, METRICS_REQUIRE_AUTH);

  static AdminConfig from(Values v) {
    return new AdminConfig(v.get(HOST), v.get(PORT), v.get(METRICS_REQUIRE_AUTH));
  }
}
