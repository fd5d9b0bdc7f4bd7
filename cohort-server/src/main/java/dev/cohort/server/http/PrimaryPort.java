package dev.cohort.server.http;

import java.time.Duration;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The primary port, which an operator can take offline (it stops accepting connections,
 * in-flight requests finish, only the admin port stays open, {@code /health/ready} on the admin
 * port says 503) and bring back online on the same port.
 */
public final class PrimaryPort implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(PrimaryPort.class);

  private final Server server;
  private final Health health;

  public PrimaryPort(String host, int port, Handler handler, Duration stopTimeout, Health health)
      throws Exception {
    this.server = HttpServers.start("primary", host, port, handler, stopTimeout);
    this.health = health;
    // Keep the port a restart binds, also when 0 asked for any free one.
    ((ServerConnector) server.getConnectors()[0]).setPort(HttpServers.port(server));
  }

  public int port() {
    return HttpServers.port(server);
  }

  /** Stops accepting requests and waits for in-flight ones; no-op if already offline. */
  public synchronized void offline() throws Exception {
    if (health.state() != Health.State.READY) {
      throw new IllegalStateException("the node is " + health.state().name().toLowerCase() + ", not ready");
    }
    health.set(Health.State.OFFLINE);
    LOG.info("COH.0001.0006I primary port {} going offline; in-flight requests finish", port());
    server.stop();
  }

  /** Accepts requests again on the same port. */
  public synchronized void online() throws Exception {
    if (health.state() != Health.State.OFFLINE) {
      throw new IllegalStateException("the node is " + health.state().name().toLowerCase() + ", not offline");
    }
    server.start();
    health.set(Health.State.READY);
    LOG.info("COH.0001.0007I primary port {} online", port());
  }

  @Override
  public void close() throws Exception {
    server.stop();
  }
}
