package dev.cohort.server.http;

import java.time.Duration;
import java.util.concurrent.Executors;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.handler.GracefulHandler;
import org.eclipse.jetty.util.thread.QueuedThreadPool;

/** Builds the node's Jetty servers: one per port, handlers on virtual threads, graceful stop. */
public final class HttpServers {

  private HttpServers() {}

  /**
   * Starts a server on {@code host:port} (0 = any free port).
   *
   * @param stopTimeout how long {@link Server#stop()} waits for in-flight requests
   */
  public static Server start(String name, String host, int port, Handler handler, Duration stopTimeout)
      throws Exception {
    QueuedThreadPool threads = new QueuedThreadPool(64, 4);
    threads.setName(name);
    threads.setVirtualThreadsExecutor(
        Executors.newThreadPerTaskExecutor(Thread.ofVirtual().name(name + "-vt-", 0).factory()));
    Server server = new Server(threads);
    HttpConfiguration http = new HttpConfiguration();
    http.setSendServerVersion(false);
    http.setSendXPoweredBy(false);
    ServerConnector connector = new ServerConnector(server, 1, 1, new HttpConnectionFactory(http));
    connector.setName(name);
    connector.setHost(host);
    connector.setPort(port);
    connector.setReuseAddress(true);
    server.addConnector(connector);
    server.setHandler(new GracefulHandler(handler));
    server.setStopTimeout(stopTimeout.toMillis());
    server.setStopAtShutdown(false);
    server.start();
    return server;
  }

  /** The port {@code server} listens on. */
  public static int port(Server server) {
    return ((ServerConnector) server.getConnectors()[0]).getLocalPort();
  }
}
