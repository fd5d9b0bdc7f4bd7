package dev.cohort.server.config;

import static dev.cohort.server.config.Setting.Tier.ESSENTIAL;
import static dev.cohort.server.config.Setting.Tier.FREQUENT;
import static dev.cohort.server.config.Setting.Tier.RARE;

import java.time.Duration;
import java.util.List;

/**
 * Sessions (conversations).
 *
 * @param timeout a session idle this long expires
 * @param sweepInterval how often expired sessions are removed
 * @param cookieSecure whether the session cookie carries the {@code Secure} flag
 * @param maxSessions most sessions held; at the limit new sessions are refused with 503
 */
public record SessionConfig(
    Duration timeout, Duration sweepInterval, boolean cookieSecure, int maxSessions) {

  static final Setting<Duration> TIMEOUT =
      Setting.duration(
          "session.timeout",
          "60m",
          "m",
          Duration.ofSeconds(1),
          ESSENTIAL,
          "A session not used for this long expires; the client's next call starts a new one.");
  static final Setting<Duration> SWEEP_INTERVAL =
      Setting.duration(
          "session.sweep-interval",
          "30s",
          "s",
          Duration.ofMillis(100),
          RARE,
          "How often expired sessions are removed from memory. Expired sessions are never"
              + " served, whether swept yet or not.");
  static final Setting<Boolean> COOKIE_SECURE =
      Setting.bool(
          "session.cookie-secure",
          false,
          FREQUENT,
          "Mark the cohort_session cookie Secure (sent only over HTTPS). Turn on when a TLS"
              + " load balancer fronts the node.");
  static final Setting<Integer> MAX_SESSIONS =
      Setting.integer(
          "session.max-sessions",
          100_000,
          1,
          Integer.MAX_VALUE,
          RARE,
          "Most sessions this node holds; when full, calls that need a new session get 503"
              + " (COH-SESSIONS-FULL) instead of the node running out of memory.");

  static final List<Setting<?>> SETTINGS =
      List.of(TIMEOUT, SWEEP_INTERVAL, COOKIE_SECURE, MAX_SESSIONS);

  static SessionConfig from(Values v) {
    return new SessionConfig(
        v.get(TIMEOUT), v.get(SWEEP_INTERVAL), v.get(COOKIE_SECURE), v.get(MAX_SESSIONS));
  }
}
