package dev.cohort.server.http;

import dev.cohort.server.invoke.ErrorCode;
import java.util.Locale;
import java.util.Map;

/**
 * {@code GET /health/live} (the process answers) and {@code GET /health/ready} (it serves: 503
 * while starting, draining or stopped). No authentication: load balancers call them.
 */
public final class HealthRoutes {

  private HealthRoutes() {}

  public static void handle(Exchange exchange, Health health) {
    String state = health.state().name().toLowerCase(Locale.ROOT);
    switch (exchange.path()) {
      case "/health/live" -> exchange.json(200, Map.of("status", "live", "state", state));
      case "/health/ready" -> {
        java.util.Map<String, Object> body = new java.util.LinkedHashMap<>();
        body.put("status", health.ready() ? "ready" : "not ready");
        body.put("state", state);
        health.degradedReason().ifPresent(r -> body.put("degraded", r));
        exchange.json(health.ready() ? 200 : 503, body);
      }
      default -> exchange.error(ErrorCode.NOT_FOUND, "health checks are /health/live and /health/ready");
    }
  }
}
