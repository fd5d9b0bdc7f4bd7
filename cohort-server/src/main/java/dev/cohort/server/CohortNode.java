package dev.cohort.server;

import dev.cohort.server.admin.AdminApi;
import dev.cohort.server.admin.AdminHandler;
import dev.cohort.server.admin.NodeControl;
import dev.cohort.server.cluster.ClusterRef;
import dev.cohort.server.cluster.ClusterView;
import dev.cohort.server.cluster.DatabaseMembership;
import dev.cohort.server.cluster.Grid;
import dev.cohort.server.cluster.GridMembership;
import dev.cohort.server.cluster.Self;
import dev.cohort.server.cluster.SingleNode;
import dev.cohort.server.config.ClusterConfig;
import dev.cohort.server.config.CohortConfig;
import dev.cohort.server.config.SessionConfig;
import dev.cohort.server.db.Database;
import dev.cohort.server.http.Health;
import dev.cohort.server.http.HttpServers;
import dev.cohort.server.http.PrimaryHandler;
import dev.cohort.server.http.PrimaryPort;
import dev.cohort.server.invoke.Invoker;
import dev.cohort.server.pkg.PackageClassLoader;
import dev.cohort.server.pkg.BuiltIns;
import dev.cohort.server.pkg.RegisteredService;
import dev.cohort.server.pkg.ServiceName;
import dev.cohort.server.pkg.ServiceRegistry;
import dev.cohort.server.remote.RemoteClients;
import dev.cohort.server.remote.RemoteInvoke;
import dev.cohort.server.security.FirstStart;
import dev.cohort.server.security.PasswordHasher;
import dev.cohort.server.security.Realm;
import dev.cohort.server.security.SecurityStore;
import dev.cohort.server.session.AttributeCodec;
import dev.cohort.server.session.InMemorySessionStore;
import dev.cohort.server.session.AppAttributeStore;
import dev.cohort.server.session.SessionStore;
import dev.cohort.server.session.grid.GridAppAttributeStore;
import dev.cohort.server.session.Sessions;
import dev.cohort.server.session.grid.GridSessionStore;
import dev.cohort.server.session.grid.SessionSchemaImpl;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;

import java.io.PrintStream;
import java.nio.file.Files;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import dev.cohort.server.gd.GuaranteedDelivery;
import dev.cohort.server.remote.RemoteGd;
import org.eclipse.jetty.server.Server;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * A Cohort node: the one place that builds every component and wires them together. {@link
 * #start} returns a serving node; {@link #close} drains in-flight requests and stops it.
 */
public final class CohortNode implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(CohortNode.class);
  private static final Duration SECURITY_REFRESH = Duration.ofSeconds(2);

  /**
   * What the node needs from its environment besides the config.
   *
   * @param adminPassword the first Administrator's password ({@code COHORT_ADMIN_PASSWORD}), if
   *     preset
   * @param console where the generated first-start password is printed (never the log)
   * @param clock the clock for sessions and credential caching
   */
  public record Environment(Optional<String> adminPassword, PrintStream console, InstantSource clock) {

    public static Environment system(Map<String, String> env) {
      return new Environment(
          Optional.ofNullable(env.get("COHORT_ADMIN_PASSWORD")).filter(p -> !p.isEmpty()),
          System.out,
          InstantSource.system());
    }
  }

  private final CohortConfig config;
  private final Health health;
  private final Deque<AutoCloseable> resources;
  private final PrimaryPort primary;
  private final Server admin;
  private final Sessions sessions;
  private final Optional<Grid> grid;
  private final java.util.concurrent.CompletableFuture<Void> stopped =
      new java.util.concurrent.CompletableFuture<>();

  private CohortNode(
      CohortConfig config,
      Health health,
      Deque<AutoCloseable> resources,
      PrimaryPort primary,
      Server admin,
      Sessions sessions,
      Optional<Grid> grid) {
    this.grid = grid;
    this.config = config;
    this.health = health;
    this.resources = resources;
    this.primary = primary;
    this.admin = admin;
    this.sessions = sessions;
  }

  /**
   * Builds and starts a node.
   *
   * @throws NodeStartException when something it needs is missing or broken, saying what
   */
  public static CohortNode start(CohortConfig config, Environment environment) {
    String name = config.node().name();
    MDC.put("node", name);
    Deque<AutoCloseable> resources = new ArrayDeque<>();
    Health health = new Health();
    try {
      Files.createDirectories(config.node().dataDir());
      if (config.cluster().enabled()) {
        LOG.info(
            "COH.0001.0005I node {} joins cluster '{}' (effective name {}, {} mode)",
            config.cluster().logicalHostname(),
            config.cluster().name(),
            config.cluster().effectiveName(),
            config.cluster().mode().name().toLowerCase(java.util.Locale.ROOT));
      }
      Database database = Database.open(config.database(), config.node().dataDir(), config.node().name());
      resources.push(database);

      PasswordHasher hasher =
          new PasswordHasher(config.security().hashMemoryKib(), config.security().hashIterations());
      SecurityStore securityStore = new SecurityStore(database, hasher);
      FirstStart.ensureAdministrator(securityStore, environment.adminPassword())
          .ifPresent(password -> announce(environment.console(), password));
      Realm realm = new Realm(securityStore, hasher, config.security(), environment.clock());

      ScheduledExecutorService scheduler =
          Executors.newSingleThreadScheduledExecutor(
              Thread.ofPlatform().name("cohort-" + name + "-timer").daemon().factory());
      resources.push(scheduler::shutdownNow);
      realm.startRefreshing(scheduler, SECURITY_REFRESH);

      RemoteClients remoteClients = new RemoteClients();
      resources.push(remoteClients);
      RemoteGd.Contexts remoteGd = new RemoteGd.Contexts(config.node().dataDir().resolve("gd-remote"));
      resources.push(remoteGd);
      ServiceRegistry registry =
          ServiceRegistry.load(config.packages().dir(), builtIns(config, remoteClients, remoteGd));
      resources.push(registry);

      Optional<Grid> grid = Optional.empty();
      if (config.cluster().stateful()) {
        Grid started =
            Grid.start(
                config.cluster(),
                config.cluster().logicalHostname(),
                new SessionSchemaImpl(),
                config.node().dataDir());
        resources.push(started);
        grid = Optional.of(started);
        health.addCheck(
            () ->
                started.available()
                    ? Optional.empty()
                    : Optional.of(
                        "sessions cannot be saved here: the session caches are not available"
                            + " (this side of a network split lacks the majority, or the cluster"
                            + " transport is restarting); see cohort cluster status"));
      }
      AttributeCodec codec = new AttributeCodec(PackageClassLoader::isPackageClass);
      SessionStore store =
          grid.<SessionStore>map(g -> new GridSessionStore(g, config.session().maxSessions()))
              .orElseGet(() -> new InMemorySessionStore(config.session().maxSessions()));
      Sessions sessions =
          new Sessions(
              store,
              withTimeout(config.session(), config.sessionTimeout()),
              codec,
              environment.clock());
      resources.push(sessions);
      sessions.startSweeping(scheduler);

      PrometheusMeterRegistry meters = meters(name, sessions);
      grid.ifPresent(
          g -> {
            io.micrometer.core.instrument.FunctionCounter.builder(
                    "cohort.cluster.sent", g, Grid::bytesSent)
                .baseUnit("bytes")
                .description("Bytes this node sent to other cluster members (sealed payloads)")
                .register(meters);
            io.micrometer.core.instrument.FunctionCounter.builder(
                    "cohort.cluster.received", g, Grid::bytesReceived)
                .baseUnit("bytes")
                .description("Bytes this node received from other cluster members")
                .register(meters);
          });
      resources.push(meters::close);

      Invoker invoker =
          new Invoker(
              sessions,
              name,
              grid.<AppAttributeStore>map(GridAppAttributeStore::new)
                  .orElseGet(AppAttributeStore::local),
              codec,
              database.dataSource());
      GuaranteedDelivery gd =
          new GuaranteedDelivery(
              database, config.gd(), invoker, registry, realm, name, meters,
              config.node().shutdownTimeout());
      resources.push(gd);
      java.util.concurrent.atomic.AtomicReference<CohortNode> self =
          new java.util.concurrent.atomic.AtomicReference<>();
      java.util.concurrent.atomic.AtomicReference<PrimaryPort> primary =
          new java.util.concurrent.atomic.AtomicReference<>();
      ClusterRef cluster = new ClusterRef();
      PrimaryHandler primaryHandler =
          new PrimaryHandler(
              new PrimaryHandler.Parts(
                  name, config.http(), config.session(), health, realm, sessions, registry, invoker,
                  gd, meters, cluster));
      Instant startedAt = Instant.now();
      NodeInfo info = new NodeInfo(config, health, database, registry, sessions, startedAt);
      AdminHandler adminHandler =
          new AdminHandler(
              name,
              health,
              realm,
              new AdminApi(
                  info::describe, registry, securityStore, realm, sessions, cluster,
                  new NodeControl(
                      primary::get,
                      config.node().dataDir(),
                      config.cluster().enabled(),
                      () -> Thread.ofPlatform()
                          .name("cohort-fail-fast")
                          .start(() -> Optional.ofNullable(self.get()).ifPresent(CohortNode::close))),
                  gd),
              meters,
              config.admin().metricsRequireAuth());

      Server admin =
          HttpServers.start(
              "admin", config.admin().host(), config.admin().port(), adminHandler,
              config.node().shutdownTimeout());
      resources.push(admin::stop);
      primary.set(
          new PrimaryPort(
              config.http().host(), config.http().port(), primaryHandler,
              config.node().shutdownTimeout(), health));
      resources.push(primary.get());
      info.ports(primary.get().port(), HttpServers.port(admin));
      cluster.set(
          clusterView(
              config, database, health, environment, scheduler,
              primary.get().port(), HttpServers.port(admin), registry.fingerprint(),
              realm::loadedVersion, grid));
      resources.push(cluster);
      // Only now: in a cluster the registry has accepted this node's name, so the leases GD finds
      // under it are its own crashed run's, not a live namesake's.
      gd.start(scheduler);

      CohortNode node =
          new CohortNode(config, health, resources, primary.get(), admin, sessions, grid);
      self.set(node);
      health.set(Health.State.READY);
      LOG.info(
          "COH.0001.0001I node {} ready: services on http://{}:{}/ , admin on http://{}:{}/ ({}"
              + " service(s), database {})",
          name,
          displayHost(config.http().host()),
          node.port(),
          displayHost(config.admin().host()),
          node.adminPort(),
          registry.serviceCount(),
          database.description());
      return node;
    } catch (Exception e) {
      closeAll(resources);
      throw new NodeStartException("node " + name + " could not start: " + e.getMessage(), e);
    } finally {
      MDC.remove("node");
    }
  }

  private static ClusterView clusterView(
      CohortConfig config,
      Database database,
      Health health,
      Environment environment,
      ScheduledExecutorService scheduler,
      int port,
      int adminPort,
      String packagesFingerprint,
      java.util.function.LongSupplier securityVersion,
      Optional<Grid> grid) {
    ClusterConfig c = config.cluster();
    String host =
        !c.advertiseHost().isBlank() ? c.advertiseHost() : reachableHost(config.http().host());
    Self self =
        new Self(
            c.logicalHostname(),
            "http://" + host + ":" + port,
            "http://" + reachableHost(config.admin().host()) + ":" + adminPort,
            Version.current(),
            packagesFingerprint);
    if (!c.enabled()) {
      return new SingleNode(self, () -> health.state().name().toLowerCase(java.util.Locale.ROOT));
    }
    DatabaseMembership membership =
        new DatabaseMembership(
            database, c.effectiveName(), self, health, environment.clock(),
            c.registryHeartbeat(), c.registryTimeout(), securityVersion);
    membership.start(scheduler);
    if (grid.isPresent()) {
      return new GridMembership(membership, grid.get());
    }
    return membership;
  }

  private static String reachableHost(String bound) {
    if (!bound.equals("0.0.0.0") && !bound.equals("::")) {
      return bound;
    }
    try {
      return java.net.InetAddress.getLocalHost().getHostName();
    } catch (java.net.UnknownHostException e) {
      return "localhost";
    }
  }

  private static SessionConfig withTimeout(SessionConfig session, Duration timeout) {
    return new SessionConfig(
        timeout, session.sweepInterval(), session.cookieSecure(), session.maxSessions());
  }

  private static PrometheusMeterRegistry meters(String name, Sessions sessions) {
    PrometheusMeterRegistry meters = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    meters.config().commonTags("node", name);
    new ClassLoaderMetrics().bindTo(meters);
    new JvmMemoryMetrics().bindTo(meters);
    new JvmGcMetrics().bindTo(meters);
    new JvmThreadMetrics().bindTo(meters);
    new ProcessorMetrics().bindTo(meters);
    new UptimeMetrics().bindTo(meters);
    Gauge.builder("cohort.sessions", sessions, Sessions::count)
        .description("Sessions held by this node")
        .register(meters);
    return meters;
  }

  /**
   * The services every node has: {@code pub.remote:invoke} and {@code pub.remote.gd:*},
   * Administrators only by default.
   */
  private static BuiltIns builtIns(
      CohortConfig config, RemoteClients remote, RemoteGd.Contexts remoteGd) {
    java.util.List<RegisteredService> services = new java.util.ArrayList<>();
    services.add(
        new RegisteredService(
            ServiceName.parse(RemoteInvoke.NAME),
            new RemoteInvoke(config.remote(), remote),
            BuiltIns.PACKAGE,
            CohortNode.class.getClassLoader()));
    for (String operation : RemoteGd.OPERATIONS) {
      services.add(
          new RegisteredService(
              ServiceName.parse(RemoteGd.FOLDER + ":" + operation),
              new RemoteGd(operation, config.remote(), remoteGd),
              BuiltIns.PACKAGE,
              CohortNode.class.getClassLoader()));
    }
    return new BuiltIns(services, java.util.Map.of("pub.remote", "Administrators"));
  }

  private static void announce(PrintStream console, String password) {
    console.println();
    console.println("  ==================================================================");
    console.println("   First start: created user 'Administrator' with password");
    console.println();
    console.println("       " + password);
    console.println();
    console.println("   It is shown only this once. Keep it safe, or change it with");
    console.println("   PUT /admin/api/users/Administrator {\"password\":\"...\"}.");
    console.println("  ==================================================================");
    console.println();
    console.flush();
  }

  private static String displayHost(String host) {
    return host.equals("0.0.0.0") || host.equals("::") ? "localhost" : host;
  }

  /** The primary port actually bound. */
  public int port() {
    return primary.port();
  }

  /** The admin port actually bound. */
  public int adminPort() {
    return HttpServers.port(admin);
  }

  public String name() {
    return config.node().name();
  }

  public Health.State state() {
    return health.state();
  }

  public CohortConfig config() {
    return config;
  }

  /** The stateful cluster's data grid, if this node is a member of one. */
  public Optional<Grid> grid() {
    return grid;
  }

  /** Completes when the node has stopped (by {@link #close}, or a fail-fast failover action). */
  public java.util.concurrent.CompletableFuture<Void> whenStopped() {
    return stopped;
  }

  /** The number of sessions held. */
  public int sessionCount() {
    return sessions.count();
  }

  /**
   * Stops the node: refuses new requests, lets in-flight ones finish (up to {@code
   * node.shutdown-timeout}), then releases everything.
   */
  @Override
  public synchronized void close() {
    if (health.state() == Health.State.STOPPED) {
      return;
    }
    MDC.put("node", name());
    try {
      health.set(Health.State.DRAINING);
      LOG.info(
          "COH.0001.0002I node {} draining (in-flight requests get up to {} ms)",
          name(),
          config.node().shutdownTimeout().toMillis());
      closeAll(resources);
      health.set(Health.State.STOPPED);
      LOG.info("COH.0001.0003I node {} stopped", name());
    } finally {
      MDC.remove("node");
      stopped.complete(null);
    }
  }

  private static void closeAll(Deque<AutoCloseable> resources) {
    while (!resources.isEmpty()) {
      AutoCloseable resource = resources.pop();
      try {
        resource.close();
      } catch (Exception e) {
        LOG.warn("COH.0001.0004W while stopping: {}", e.toString());
      }
    }
  }

}
