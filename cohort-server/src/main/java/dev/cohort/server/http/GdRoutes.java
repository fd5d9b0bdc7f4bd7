package dev.cohort.server.http;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cohort.api.Caller;
import dev.cohort.api.Document;
import dev.cohort.server.gd.GuaranteedDelivery;
import dev.cohort.server.gd.Tx;
import dev.cohort.server.invoke.CohortError;
import dev.cohort.server.invoke.ErrorCode;
import java.time.Duration;
import java.util.Optional;

/**
 * Guaranteed delivery for transactional clients, below {@code /gd/tx} (see {@code
 * docs/guaranteed-delivery.md}): start, status, restart, end here; invoke and submit go through
 * {@link InvokeRoute} so that they authenticate and authorize exactly like {@code /invoke}.
 */
final class GdRoutes {

  static final String PREFIX = "/gd/tx";

  private final Authentication authentication;
  private final GuaranteedDelivery gd;
  private final InvokeRoute invoke;
  private final long maxBodySize;

  GdRoutes(Authentication authentication, GuaranteedDelivery gd, InvokeRoute invoke, long maxBodySize) {
    this.authentication = authentication;
    this.gd = gd;
    this.invoke = invoke;
    this.maxBodySize = maxBodySize;
  }

  void handle(Exchange exchange) {
    String rest = exchange.path().substring(PREFIX.length());
    String method = exchange.method();
    if (rest.isEmpty() || rest.equals("/")) {
      if (method.equals("DELETE")) {
        endAll(exchange);
        return;
      }
      expect(exchange, "POST");
      start(exchange);
      return;
    }
    String[] parts = rest.substring(1).split("/", 3);
    String tid = parts[0];
    if (parts.length == 1) {
      switch (method) {
        case "GET" -> status(exchange, tid);
        case "DELETE" -> end(exchange, tid);
        default -> notAllowed(exchange, "GET, DELETE");
      }
      return;
    }
    String action = parts[1];
    if (parts.length == 2 && action.equals("restart")) {
      expect(exchange, "POST");
      exchange.json(200, gd.restart(caller(exchange), tid).describe(false));
      return;
    }
    if (parts.length == 3 && (action.equals("invoke") || action.equals("submit"))) {
      expect(exchange, "POST");
      invoke.handle(
          exchange, parts[2], action.equals("invoke") ? InvokeRoute.Mode.INVOKE : InvokeRoute.Mode.SUBMIT, tid);
      return;
    }
    throw new CohortError(
        ErrorCode.NOT_FOUND,
        "nothing at " + exchange.path() + "; see docs/guaranteed-delivery.md for the /gd/tx endpoints");
  }

  private void start(Exchange exchange) {
    Caller caller = caller(exchange);
    Document body = exchange.jsonBody(maxBodySize);
    JsonNode tree = Json.mapper().valueToTree(body);
    Optional<String> tid = text(tree, "tid");
    Optional<Duration> ttl = number(tree, "ttlSeconds").map(Duration::ofSeconds);
    Optional<Integer> retries = number(tree, "retries").map(Math::toIntExact);
    GuaranteedDelivery.Started started = gd.start(caller, tid, ttl, retries);
    exchange.json(started.created() ? 201 : 200, started.tx().describe(false));
  }

  private void status(Exchange exchange, String tid) {
    Duration wait =
        exchange
            .query("waitMillis")
            .map(
                v -> {
                  try {
                    return Duration.ofMillis(Math.max(0, Long.parseLong(v)));
                  } catch (NumberFormatException e) {
                    throw new CohortError(ErrorCode.INVALID_INPUT, "waitMillis must be a number of milliseconds");
                  }
                })
            .orElse(Duration.ZERO);
    exchange.json(200, gd.status(caller(exchange), tid, wait).describe(false));
  }

  private void end(Exchange exchange, String tid) {
    gd.end(caller(exchange), tid);
    exchange.send(204, "application/json", new byte[0]);
  }

  /** {@code DELETE /gd/tx?tids=a,b,c}: ends several transactions in one request. */
  private void endAll(Exchange exchange) {
    String tids =
        exchange
            .query("tids")
            .filter(t -> !t.isBlank())
            .orElseThrow(
                () ->
                    new CohortError(
                        ErrorCode.INVALID_INPUT,
                        "name the transactions to end: DELETE /gd/tx?tids=tid1,tid2,..."));
    java.util.List<String> running = gd.endAll(caller(exchange), java.util.List.of(tids.split(",", -1)));
    if (!running.isEmpty()) {
      throw new CohortError(
          ErrorCode.GD_RUNNING,
          "transaction(s) " + String.join(", ", running)
              + " are running; end them once they are done (the others are ended)");
    }
    exchange.send(204, "application/json", new byte[0]);
  }

  private Caller caller(Exchange exchange) {
    Caller caller = authentication.identify(exchange);
    if (caller.anonymous()) {
      throw new CohortError(
          ErrorCode.UNAUTHENTICATED,
          "guaranteed delivery needs credentials or a session: transactions belong to their user");
    }
    return caller;
  }

  private static Optional<String> text(JsonNode tree, String field) {
    JsonNode node = tree.get(field);
    if (node == null || node.isNull()) {
      return Optional.empty();
    }
    if (!node.isTextual()) {
      throw new CohortError(ErrorCode.INVALID_INPUT, field + " must be a string");
    }
    return Optional.of(node.asText());
  }

  private static Optional<Long> number(JsonNode tree, String field) {
    JsonNode node = tree.get(field);
    if (node == null || node.isNull()) {
      return Optional.empty();
    }
    if (!node.canConvertToLong()) {
      throw new CohortError(ErrorCode.INVALID_INPUT, field + " must be a whole number");
    }
    return Optional.of(node.asLong());
  }

  private static void expect(Exchange exchange, String method) {
    if (!exchange.method().equals(method)) {
      notAllowed(exchange, method);
    }
  }

  private static void notAllowed(Exchange exchange, String allowed) {
    exchange.setHeader("Allow", allowed);
    throw new CohortError(
        ErrorCode.METHOD_NOT_ALLOWED, "method " + exchange.method() + " is not allowed on " + exchange.path());
  }
}
