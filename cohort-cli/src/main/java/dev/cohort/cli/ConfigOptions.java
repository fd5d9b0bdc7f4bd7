package dev.cohort.cli;

import dev.cohort.server.config.ConfigSources;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import picocli.CommandLine.Option;

/** The options every command that reads the configuration shares. */
final class ConfigOptions {

  @Option(
      names = {"-c", "--config"},
      paramLabel = "FILE",
      description = "The configuration file (cohort.yaml). Without it, the embedded defaults.")
  Path config;

  @Option(
      names = "--set",
      paramLabel = "KEY=VALUE",
      description = "Override one setting, e.g. --set session.timeout=30m. Repeatable.")
  Map<String, String> sets = new LinkedHashMap<>();

  @Option(names = "--port", paramLabel = "N", description = "Primary port (http.port).")
  Integer port;

  @Option(names = "--admin-port", paramLabel = "N", description = "Admin port (admin.port).")
  Integer adminPort;

  @Option(names = "--data-dir", paramLabel = "DIR", description = "Data directory (node.data-dir).")
  Path dataDir;

  ConfigSources sources(Map<String, String> env) {
    Map<String, String> all = new LinkedHashMap<>(sets);
    if (port != null) {
      all.put("http.port", port.toString());
    }
    if (adminPort != null) {
      all.put("admin.port", adminPort.toString());
    }
    if (dataDir != null) {
      all.put("node.data-dir", dataDir.toString());
    }
    return new ConfigSources(Optional.ofNullable(config), env, all);
  }
}
