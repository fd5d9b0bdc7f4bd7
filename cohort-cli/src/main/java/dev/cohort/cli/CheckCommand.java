package dev.cohort.cli;

import dev.cohort.server.config.CohortConfig;
import dev.cohort.server.config.ConfigException;
import dev.cohort.server.config.ConfigLoader;
import dev.cohort.server.config.Problem;
import dev.cohort.server.config.Setting;
import java.io.PrintWriter;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code cohort check}: validates the configuration without starting anything. */
@Command(
    name = "check",
    mixinStandardHelpOptions = true,
    description = {
      "Validates the configuration (file, COHORT_* environment, --set) without starting a node.",
      "Prints every problem with its key and exits 2, or prints the settings that were set and",
      "exits 0."
    })
final class CheckCommand implements Callable<Integer> {

  @Mixin ConfigOptions options = new ConfigOptions();

  @Option(names = "--all", description = "Print every setting, defaults included.")
  boolean all;

  @Spec CommandSpec spec;

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    ConfigLoader.Loaded loaded;
    try {
      loaded = ConfigLoader.load(options.sources(System.getenv()));
    } catch (ConfigException e) {
      err.println("cohort check: " + e.problems().size() + " problem(s):");
      for (Problem p : e.problems()) {
        err.println("  " + p.key() + ": " + p.message() + "  [" + p.source() + "]");
      }
      err.flush();
      return 2;
    }
    loaded.notes().forEach(n -> err.println("note: " + n));
    Map<String, String> origins = loaded.origins();
    out.println("Configuration is valid. Node name: " + loaded.config().node().name());
    for (Setting<?> s : CohortConfig.settings()) {
      String origin = origins.get(s.key());
      if (origin != null || all) {
        String value = loaded.raw().getOrDefault(s.key(), s.defaultValue());
        out.printf("  %-36s %s  [%s]%n", s.key(), value, origin == null ? "default" : origin);
      }
    }
    out.flush();
    err.flush();
    return 0;
  }
}
