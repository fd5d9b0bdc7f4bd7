package dev.cohort.server.admin;

import dev.cohort.api.Caller;
import dev.cohort.api.Document;
import dev.cohort.server.http.Authentication;
import dev.cohort.server.http.Exchange;
import dev.cohort.server.http.Health;
import dev.cohort.server.http.HealthRoutes;
import dev.cohort.server.http.RoutingHandler;
import dev.cohort.server.invoke.CohortError;
import dev.cohort.server.invoke.ErrorCode;
import dev.cohort.server.security.Realm;
import dev.cohort.server.security.SecurityStoreException;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.Locale;
import java.util.Optional;

/**
 * The admin port: {@code /admin/api/...} for Administrators (HTTP Basic), {@code /metrics}
 * (Prometheus), and the health checks. State-changing calls must send JSON, which a cross-site
 * form cannot, and cross-site requests are refused outright.
 */
public final class AdminHandler extends RoutingHandler {

  static final String API = "/admin/api/";
  private static final long MAX_BODY = 1024 * 1024;

  private final Health health;
  private final Realm realm;
  private final AdminApi api;
  private final PrometheusMeterRegistry prometheus;
  private final boolean metricsRequireAuth;

  public AdminHandler(
      String nodeName,
      Health health,
      Realm realm,
      AdminApi api,
      PrometheusMeterRegistry prometheus,
      boolean metricsRequireAuth) {
    super(nodeName);
    this.health = health;
    this.realm = realm;
    this.api = api;
    this.prometheus = prometheus;
    this.metricsRequireAuth = metricsRequireAuth;
  }

  @Override
  protected void route(Exchange exchange) {
    String path = exchange.path();
    if (path.startsWith("/health/")) {
      HealthRoutes.handle(exchange, health);
      return;
    }
    if (exchange.crossSite()) {
      throw new CohortError(ErrorCode.CROSS_SITE, "cross-site requests to the admin port are refused");
    }
    if (path.equals("/metrics")) {
      if (metricsRequireAuth) {
        administrator(exchange);
      }
      exchange.text(200, "text/plain; version=0.0.4; charset=utf-8", prometheus.scrape());
      return;
    }
    if (!path.startsWith(API)) {
      throw new CohortError(
          ErrorCode.NOT_FOUND, "nothing at " + path + "; the admin API is under " + API);
    }
    Caller admin = administrator(exchange);
    String method = exchange.method().toUpperCase(Locale.ROOT);
    Document body = Document.create();
    if (!method.equals("GET") && !method.equals("DELETE")) {
      body = exchange.jsonBody(MAX_BODY);
    }
    try {
      AdminApi.Reply reply = api.handle(method, path.substring(API.length()), exchange.queryParameters(), body, admin);
      exchange.json(reply.status(), reply.body());
    } catch (SecurityStoreException e) {
      throw new CohortError(
          switch (e.kind()) {
            case NOT_FOUND -> ErrorCode.NOT_FOUND;
            case CONFLICT -> ErrorCode.CONFLICT;
            case INVALID -> ErrorCode.INVALID_INPUT;
          },
          e.getMessage());
    } catch (dev.cohort.api.InvalidInputException e) {
      throw new CohortError(ErrorCode.INVALID_INPUT, e.getMessage());
    }
  }

  private Caller administrator(Exchange exchange) {
    Optional<Caller> caller =
        Authentication.basic(exchange).flatMap(c -> realm.authenticate(c.user(), c.password()));
    if (caller.isEmpty()) {
      throw new CohortError(
          ErrorCode.UNAUTHENTICATED,
          exchange.header("Authorization").isEmpty()
              ? "the admin port needs an Administrator's HTTP Basic credentials"
              : "the user name or password is wrong");
    }
    if (!caller.get().inGroup(Realm.ADMINISTRATORS)) {
      throw new CohortError(
          ErrorCode.FORBIDDEN, "user " + caller.get().user() + " is not in Administrators");
    }
    return caller.get();
  }

}
