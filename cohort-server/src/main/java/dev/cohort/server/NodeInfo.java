package dev.cohort.server;

import dev.cohort.server.config.CohortConfig;
import dev.cohort.server.db.Database;
import dev.cohort.server.http.Health;
import dev.cohort.server.pkg.LoadedPackage;
import dev.cohort.server.pkg.ServiceRegistry;
import dev.cohort.server.session.Sessions;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/** What {@code GET /admin/api/node} shows about this node. */
final class NodeInfo {

  private final CohortConfig config;
  private final Health health;
  private final Database database;
  private final ServiceRegistry registry;
  private final Sessions sessions;
  private final Instant startedAt;
  private volatile int port;
  private volatile int adminPort;

  NodeInfo(
      CohortConfig config,
      Health health,
      Database database,
      ServiceRegistry registry,
      Sessions sessions,
      Instant startedAt) {
    this.config = config;
    this.health = health;
    this.database = database;
    this.registry = registry;
    this.sessions = sessions;
    this.startedAt = startedAt;
  }

  void ports(int port, int adminPort) {
    this.port = port;
    this.adminPort = adminPort;
  }

  Map<String, Object> describe() {
    Map<String, Object> info = new LinkedHashMap<>();
    info.put("name", config.node().name());
    info.put("version", Version.current());
    info.put("state", health.state().name().toLowerCase(Locale.ROOT));
    info.put("startedAt", startedAt);
    info.put("uptimeSeconds", Duration.between(startedAt, Instant.now()).toSeconds());
    info.put("port", port);
    info.put("adminPort", adminPort);
    if (config.cluster().enabled()) {
      info.put("mode", config.cluster().mode().name().toLowerCase(Locale.ROOT) + " cluster");
      info.put("cluster", config.cluster().effectiveName());
      info.put("logicalHostname", config.cluster().logicalHostname());
    } else {
      info.put("mode", "standalone");
    }
    info.put("sessionTimeoutSeconds", config.sessionTimeout().toSeconds());
    info.put("database", database.description());
    info.put("packages", registry.packages().size());
    info.put(
        "packagesWithErrors",
        registry.packages().stream().filter(p -> p.state() != LoadedPackage.State.LOADED).count());
    info.put("services", registry.serviceCount());
    info.put("sessions", sessions.count());
    info.put("java", Runtime.version().toString());
    return info;
  }
}
