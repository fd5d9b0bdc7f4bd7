package dev.cohort.cli;

import dev.cohort.server.CohortNode;
import dev.cohort.server.Logging;
import dev.cohort.server.NodeStartException;
import dev.cohort.server.config.ConfigException;
import dev.cohort.server.config.ConfigLoader;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** {@code cohort start}: runs a node in the foreground until SIGTERM or Ctrl-C. */
@Command(
    name = "start",
    mixinStandardHelpOptions = true,
    description = {
      "Runs a node in the foreground. Without --config: a standalone node with the embedded",
      "defaults (ports 5555 and 9999, data in ./data, packages from ./packages).",
      "SIGTERM or Ctrl-C stops it gracefully: new requests are refused and in-flight ones",
      "finish (up to node.shutdown-timeout)."
    })
final class StartCommand implements Callable<Integer> {

  @Mixin ConfigOptions options = new ConfigOptions();

  @Override
  public Integer call() {
    ConfigLoader.Loaded loaded;
    try {
      loaded = ConfigLoader.load(options.sources(System.getenv()));
    } catch (ConfigException e) {
      System.err.println("cohort: " + e.getMessage());
      System.err.println("Fix the settings above (cohort check --config FILE lists them too).");
      return 2;
    }
    Logging.configure(loaded.config().logging(), loaded.config().node().name());
    loaded.notes().forEach(n -> System.err.println("cohort: note: " + n));
    CohortNode node;
    try {
      node = CohortNode.start(loaded.config(), CohortNode.Environment.system(System.getenv()));
    } catch (NodeStartException e) {
      System.err.println("cohort: " + e.getMessage());
      return 1;
    }
    Runtime.getRuntime().addShutdownHook(new Thread(node::close, "cohort-shutdown"));
    System.out.printf(
        "Cohort node %s is running: http://localhost:%d/  (admin: http://localhost:%d/admin/api/node)%n"
            + "Press Ctrl-C to stop.%n",
        node.name(),
        node.port(),
        node.adminPort());
    System.out.flush();
    // Until SIGTERM/Ctrl-C (shutdown hook) or a fail-fast failover action stops the node.
    node.whenStopped().join();
    return 0;
  }
}
