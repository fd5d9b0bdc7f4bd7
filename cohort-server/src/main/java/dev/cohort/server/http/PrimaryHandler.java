package dev.cohort.server.http;

import dev.cohort.server.cluster.ClusterView;
import dev.cohort.server.config.HttpConfig;
import dev.cohort.server.config.SessionConfig;
import dev.cohort.server.invoke.ErrorCode;
import dev.cohort.server.invoke.Invoker;
import dev.cohort.server.pkg.ServiceRegistry;
import dev.cohort.server.security.Realm;
import dev.cohort.server.session.Sessions;
import io.micrometer.core.instrument.MeterRegistry;

/** The primary port: services, sessions and health checks. */
public final class PrimaryHandler extends RoutingHandler {

  private final Health health;
  private final InvokeRoute invoke;
  private final GdRoutes gdRoutes;
  private final SessionRoutes sessionRoutes;
  private final ClusterRoute clusterRoute;
  private final ClusterView cluster;
  private final String nodeName;
  private final int serviceCount;

  /**
   * @param parts the node's components the port serves
   */
  public PrimaryHandler(Parts parts) {
    super(parts.nodeName());
    this.health = parts.health();
    SessionHeaders headers = new SessionHeaders(parts.session().cookieSecure());
    Authentication authentication = new Authentication(parts.realm(), parts.sessions());
    this.invoke =
        new InvokeRoute(
            authentication,
            parts.realm(),
            parts.registry(),
            parts.invoker(),
            parts.gd(),
            headers,
            parts.http().maxBodySize(),
            parts.meters());
    this.gdRoutes = new GdRoutes(authentication, parts.gd(), invoke, parts.http().maxBodySize());
    this.sessionRoutes = new SessionRoutes(authentication, parts.sessions(), headers);
    this.clusterRoute = new ClusterRoute(authentication, parts.cluster());
    this.cluster = parts.cluster();
    this.nodeName = parts.nodeName();
    this.serviceCount = parts.registry().serviceCount();
  }

  /** The cluster's membership epoch, on every reply of the primary port but health checks. */
  public static final String EPOCH_HEADER = "X-Cohort-Epoch";

  private static final long EPOCH_REFRESH_NANOS = 100_000_000L;
  private volatile String epoch = "";
  private volatile long epochAt = System.nanoTime() - EPOCH_REFRESH_NANOS - 1;

  /**
   * The membership epoch, worked out at most every 100 ms rather than on every call (it hashes the
   * member list); a client notices a change one call later at worst.
   */
  private String epoch() {
    long now = System.nanoTime();
    if (now - epochAt > EPOCH_REFRESH_NANOS) {
      epoch = cluster.current().epoch();
      epochAt = now;
    }
    return epoch;
  }

  /** What the primary port needs from the node. */
  public record Parts(
      String nodeName,
      HttpConfig http,
      SessionConfig session,
      Health health,
      Realm realm,
      Sessions sessions,
      ServiceRegistry registry,
      Invoker invoker,
      dev.cohort.server.gd.GuaranteedDelivery gd,
      MeterRegistry meters,
      ClusterView cluster) {}

  @Override
  protected void route(Exchange exchange) {
    String path = exchange.path();
    if (path.startsWith("/health/")) {
      HealthRoutes.handle(exchange, health);
      return;
    }
    // Failover-aware clients refresh their member list when this changes.
    exchange.setHeader(EPOCH_HEADER, epoch());
    if (health.state() != Health.State.READY) {
      exchange.setHeader("Retry-After", "5");
      exchange.error(
          ErrorCode.UNAVAILABLE, "this node is " + health.state().name().toLowerCase() + "; try another node");
      return;
    }
    if (path.startsWith(InvokeRoute.PREFIX)) {
      invoke.handle(exchange);
      return;
    }
    if (path.equals(GdRoutes.PREFIX) || path.startsWith(GdRoutes.PREFIX + "/")) {
      gdRoutes.handle(exchange);
      return;
    }
    switch (exchange.method() + " " + path) {
      case "POST /login" -> sessionRoutes.login(exchange);
      case "POST /logout" -> sessionRoutes.logout(exchange);
      case "GET /session" -> sessionRoutes.session(exchange);
      case "GET /cluster/members" -> clusterRoute.members(exchange);
      case "GET /" ->
          exchange.text(
              200,
              "text/html; charset=utf-8",
              LandingPage.render(nodeName, serviceCount, exchange.baseUrl()));
      default -> {
        if (path.equals("/login") || path.equals("/logout") || path.equals("/session")) {
          exchange.error(ErrorCode.METHOD_NOT_ALLOWED, "method " + exchange.method() + " is not allowed on " + path);
        } else {
          exchange.error(ErrorCode.NOT_FOUND, "nothing at " + path + "; services are at /invoke/folder.subfolder/service");
        }
      }
    }
  }
}
