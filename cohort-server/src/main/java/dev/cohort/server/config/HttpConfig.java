package dev.cohort.server.config;

import static dev.cohort.server.config.Setting.Tier.ESSENTIAL;
import static dev.cohort.server.config.Setting.Tier.FREQUENT;

import java.util.List;

/**
 * The primary port, where clients call services.
 *
 * @param host interface to bind
 * @param port the primary port
 * @param maxBodySize largest request body accepted, in bytes (larger: 413)
 */
public record HttpConfig(String host, int port, long maxBodySize) {

  static final Setting<String> HOST =
      Setting.string(
          "http.host", "0.0.0.0", FREQUENT, "Interface the primary port binds to.");
  static final Setting<Integer> PORT =
      Setting.port(
          "http.port", 5555, ESSENTIAL, "Primary port: services, sessions, health checks.");
  static final Setting<Long> MAX_BODY_SIZE =
      Setting.size(
          "http.max-body-size",
          "10MB",
          1,
          FREQUENT,
          "Largest request body accepted; a larger one is refused with 413 before it is read"
              + " whole.");

  static final List<Setting<?>> SETTINGS = List.of(HOST, PORT, MAX_BODY_SIZE);

  static HttpConfig from(Values v) {
    return new HttpConfig(v.get(HOST), v.get(PORT), v.get(MAX_BODY_SIZE));
  }
}
