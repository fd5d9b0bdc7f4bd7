package dev.cohort.server.config;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Where configuration comes from, lowest precedence first: the YAML file, {@code COHORT_*}
 * environment variables, then {@code --set key=value} (and the CLI's shortcuts such as {@code
 * --port}).
 *
 * @param file the YAML file, if any
 * @param env the process environment ({@code COHORT_*} entries set keys; an alias password
 *     reference {@code env:NAME} reads any variable)
 * @param sets key/value overrides from the command line, in order
 */
public record ConfigSources(Optional<Path> file, Map<String, String> env, Map<String, String> sets) {

  public ConfigSources {
    env = Map.copyOf(env);
    sets = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(sets));
  }

  public static ConfigSources none() {
    return new ConfigSources(Optional.empty(), Map.of(), Map.of());
  }

  /** A copy with {@code key} set as if by {@code --set key=value}. */
  public ConfigSources with(String key, String value) {
    Map<String, String> more = new LinkedHashMap<>(sets);
    more.put(key, value);
    return new ConfigSources(file, env, more);
  }
}
