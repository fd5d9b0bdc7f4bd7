package dev.cohort.server.cluster;

import dev.cohort.server.db.Database;
import dev.cohort.server.http.Health;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Membership of a stateless cluster through the shared database: this node heartbeats its row
 * every {@code cluster.registry-heartbeat}; a member whose heartbeat is older than {@code
 * cluster.registry-timeout} by the database's clock is no longer live. Each heartbeat also
 * measures this node's clock skew against the database. While the database cannot be reached,
 * the node reports itself degraded ({@code /health/ready} 503) and recovers by itself.
 */
public final class DatabaseMembership implements ClusterView {

  private static final Logger LOG = LoggerFactory.getLogger(DatabaseMembership.class);

  private final NodeRegistry registry;
  private final String cluster;
  private final Self self;
  private final Health health;
  private final InstantSource clock;
  private final Duration interval;
  private final Duration timeout;
  private final java.util.function.LongSupplier securityVersion;
  private volatile View view;
  private volatile boolean failing;
  private ScheduledFuture<?> task;

  /**
   * Registers this node.
   *
   * @throws IllegalStateException if a live node of the same name is already in the cluster
   */
  public DatabaseMembership(
      Database database,
      String cluster,
      Self self,
      Health health,
      InstantSource clock,
      Duration interval,
      Duration timeout,
      java.util.function.LongSupplier securityVersion) {
    this.registry = new NodeRegistry(database);
    this.cluster = cluster;
    this.self = self;
    this.health = health;
    this.clock = clock;
    this.interval = interval;
    this.timeout = timeout;
    this.securityVersion = securityVersion;
    Optional<Member> taken = registry.register(cluster, self, timeout);
    if (taken.isPresent()) {
      throw new IllegalStateException(
          "a live node named '" + self.name() + "' (at " + taken.get().url()
              + ") is already in cluster " + cluster
              + "; give every node its own scheduler.logical-hostname");
    }
    this.view = new View(cluster, List.of(), View.epochOf(List.of()));
  }

  /** Heartbeats now, then every interval. */
  public void start(ScheduledExecutorService scheduler) {
    beat();
    task =
        scheduler.scheduleWithFixedDelay(
            this::beat, interval.toMillis(), interval.toMillis(), TimeUnit.MILLISECONDS);
  }

  private void beat() {
    try {
      Instant before = clock.instant();
      Instant dbNow = registry.databaseNow();
      Instant after = clock.instant();
      Instant localMid = before.plus(Duration.between(before, after).dividedBy(2));
      long skew = Duration.between(dbNow, localMid).toMillis();
      registry.heartbeat(
          cluster, self, health.state().name().toLowerCase(Locale.ROOT), skew,
          securityVersion.getAsLong());
      List<Member> members = registry.members(cluster, timeout);
      view = new View(cluster, members, View.epochOf(members));
      if (failing) {
        failing = false;
        health.degraded(null);
        LOG.info("COH.0700.0002I the shared database is reachable again; node {} is ready", self.name());
      }
    } catch (RuntimeException e) {
      health.degraded("the shared database cannot be reached");
      if (!failing) {
        failing = true;
        LOG.error(
            "COH.0700.0001E node {} cannot reach the shared database ({}); /health/ready reports"
                + " 503 until it can",
            self.name(),
            e.getMessage());
      }
    }
  }

  @Override
  public View current() {
    return view;
  }

  @Override
  public void refresh() {
    int removed = registry.clear(cluster);
    LOG.info("COH.0700.0003I cluster member list of {} cleared ({} row(s)); live nodes re-register", cluster, removed);
    beat();
  }

  @Override
  public void close() {
    if (task != null) {
      task.cancel(false);
    }
    try {
      registry.markStopped(cluster, self.name());
    } catch (RuntimeException e) {
      LOG.debug("could not mark {} stopped: {}", self.name(), e.toString());
    }
  }
}
