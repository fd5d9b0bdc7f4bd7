package dev.cohort.server.config;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reads the configuration from its sources, validates every key and value, and builds the
 * {@link CohortConfig} tree. It collects all problems before failing, so that one run of {@code
 * cohort check} shows everything to fix.
 */
public final class ConfigLoader {

  /** {@code COHORT_*} environment variables that are not config keys. */
  private static final Set<String> NOT_SETTINGS =
      Set.of(
          "COHORT_ADMIN_PASSWORD",
          "COHORT_PASSWORD",
          "COHORT_TARGET_PASSWORD",
          "COHORT_JAVA_OPTS",
          "COHORT_NO_BUILD",
          "COHORT_HOME");

  /**
   * The loaded configuration.
   *
   * @param config the tree
   * @param origins for every key that was set, where it was set
   * @param raw for every key that was set, the value as written (secrets masked)
   * @param notes harmless oddities worth showing (e.g. an unknown {@code COHORT_*} variable)
   */
  public record Loaded(
      CohortConfig config, Map<String, String> origins, Map<String, String> raw, List<String> notes) {}

  private ConfigLoader() {}

  /**
   * Loads and validates.
   *
   * @throws ConfigException listing every problem found
   */
  public static Loaded load(ConfigSources sources) {
    Map<String, Setting<?>> catalog = new LinkedHashMap<>();
    CohortConfig.settings().forEach(s -> catalog.put(s.key(), s));
    Map<String, Setting<?>> byEnv = new HashMap<>();
    catalog.values().forEach(s -> byEnv.put(s.envName(), s));

    List<Problem> problems = new ArrayList<>();
    List<String> notes = new ArrayList<>();
    Map<String, String> raw = new LinkedHashMap<>();
    Map<String, String> origins = new LinkedHashMap<>();

    sources
        .file()
        .ifPresent(
            file -> {
              String origin = file.toString();
              for (Map.Entry<String, String> e : readYaml(file, problems).entrySet()) {
                accept(catalog, e.getKey(), e.getValue(), origin, raw, origins, problems);
              }
            });
    sources.env().entrySet().stream()
        .filter(e -> e.getKey().startsWith("COHORT_"))
        .sorted(Map.Entry.comparingByKey())
        .forEach(
            e -> {
              Setting<?> s = byEnv.get(e.getKey());
              if (s != null) {
                raw.put(s.key(), e.getValue());
                origins.put(s.key(), "environment " + e.getKey());
              } else if (!NOT_SETTINGS.contains(e.getKey())) {
                notes.add(
                    "environment variable " + e.getKey() + " matches no setting and is ignored");
              }
            });
    sources
        .sets()
        .forEach((k, v) -> accept(catalog, k, v, "--set " + k, raw, origins, problems));

    applyNodeOverrides(catalog, raw, origins, problems, notes);

    Map<String, Object> parsed = new HashMap<>();
    for (Setting<?> s : catalog.values()) {
      String value = raw.getOrDefault(s.key(), s.defaultValue());
      try {
        parsed.put(s.key(), s.parse(value));
      } catch (IllegalArgumentException e) {
        problems.add(
            new Problem(s.key(), origins.getOrDefault(s.key(), "default"), e.getMessage()));
      }
    }
    RemoteConfig remote = RemoteConfig.from(raw, origins, sources.env(), problems);
    if (problems.isEmpty()) {
      CohortConfig config = CohortConfig.from(new Values(parsed), remote);
      crossCheck(config, origins, problems);
      if (problems.isEmpty()) {
        Map<String, String> shown = new LinkedHashMap<>();
        raw.forEach(
            (k, v) ->
                shown.put(
                    k, catalog.containsKey(k) && catalog.get(k).type().equals("secret") ? "****" : v));
        return new Loaded(config, Map.copyOf(origins), Map.copyOf(shown), List.copyOf(notes));
      }
    }
    throw new ConfigException(problems);
  }

  /** {@code <data-dir>/node-overrides.yaml}, written by the node itself, outranks the rest. */
  private static void applyNodeOverrides(
      Map<String, Setting<?>> catalog,
      Map<String, String> raw,
      Map<String, String> origins,
      List<Problem> problems,
      List<String> notes) {
    String dataDir = raw.getOrDefault(NodeConfig.DATA_DIR.key(), NodeConfig.DATA_DIR.defaultValue());
    java.nio.file.Path dir;
    try {
      dir = java.nio.file.Path.of(dataDir);
    } catch (java.nio.file.InvalidPathException e) {
      return;
    }
    Map<String, String> overrides;
    try {
      overrides = NodeOverrides.read(dir);
    } catch (java.io.UncheckedIOException e) {
      problems.add(new Problem("(node overrides)", NodeOverrides.file(dir).toString(), e.getMessage()));
      return;
    }
    String origin = NodeOverrides.file(dir).toString();
    overrides.forEach(
        (k, v) -> {
          accept(catalog, k, v, origin, raw, origins, problems);
          if (k.equals(ClusterConfig.ENABLED.key()) && v.equals("false")) {
            notes.add(
                "clustering is off because this node was removed from its cluster ("
                    + origin + "); bin/cohort node add reverses it");
          }
        });
  }

  static final int MIN_SECRET = 16;

  private static void crossCheck(
      CohortConfig config, Map<String, String> origins, List<Problem> problems) {
    ClusterConfig cluster = config.cluster();
    if (cluster.logicalHostname().contains(";")) {
      problems.add(
          new Problem(
              "scheduler.logical-hostname",
              origins.getOrDefault("scheduler.logical-hostname", "node.name"),
              "must not contain ';' (it separates names in lists); got '"
                  + cluster.logicalHostname() + "'"));
    }
    if (cluster.registryTimeout().compareTo(cluster.registryHeartbeat().multipliedBy(2)) < 0) {
      problems.add(
          new Problem(
              "cluster.registry-timeout",
              origins.getOrDefault("cluster.registry-timeout", "default"),
              "must be at least twice cluster.registry-heartbeat ("
                  + cluster.registryHeartbeat().toMillis()
                  + " ms), or live nodes drop out between heartbeats"));
    }
    if (cluster.name().isBlank()) {
      problems.add(
          new Problem("cluster.name", origins.getOrDefault("cluster.name", "default"), "must not be empty"));
    }
    if (cluster.enabled() && !config.database().url().startsWith("jdbc:postgresql:")) {
      problems.add(
          new Problem(
              "database.url",
              origins.getOrDefault("database.url", "default"),
              "cluster.enabled needs a shared PostgreSQL database: set database.url to a"
                  + " jdbc:postgresql: URL"));
    }
    if (cluster.stateful()) {
      statefulChecks(cluster, origins, problems);
    }
    if (config.http().port() != 0 && config.http().port() == config.admin().port()) {
      problems.add(
          new Problem(
              "admin.port",
              origins.getOrDefault("admin.port", "default"),
              "must differ from http.port (" + config.http().port() + ")"));
    }
  }

  private static void statefulChecks(
      ClusterConfig cluster, Map<String, String> origins, List<Problem> problems) {
    ClusterConfig.Transport t = cluster.transport();
    if (t.secret().reveal().length() < MIN_SECRET) {
      problems.add(
          new Problem(
              "cluster.secret",
              origins.getOrDefault("cluster.secret", "default"),
              t.secret().isEmpty()
                  ? "a stateful cluster needs a shared secret of at least " + MIN_SECRET
                      + " characters (set COHORT_CLUSTER_SECRET on every node)"
                  : "must be at least " + MIN_SECRET + " characters long"));
    }
    for (String member : t.members()) {
      if (ClusterConfig.Transport.address(member).isEmpty()) {
        problems.add(
            new Problem(
                "cluster.transport.members",
                origins.getOrDefault("cluster.transport.members", "default"),
                "'" + member + "' is not host:port"));
      }
    }
    if (cluster.transport().dropTime().compareTo(cluster.transport().heartbeat().multipliedBy(2)) < 0) {
      problems.add(
          new Problem(
              "cluster.drop-time",
              origins.getOrDefault("cluster.drop-time", "default"),
              "must be at least twice cluster.heartbeat-frequency ("
                  + cluster.transport().heartbeat().toMillis()
                  + " ms), or live members are dropped between heartbeats"));
    }
  }

  private static void accept(
      Map<String, Setting<?>> catalog,
      String key,
      String value,
      String origin,
      Map<String, String> raw,
      Map<String, String> origins,
      List<Problem> problems) {
    if (!catalog.containsKey(key) && !RemoteConfig.isAliasKey(key)) {
      problems.add(new Problem(key, origin, "unknown key" + suggestion(key, catalog.keySet())));
      return;
    }
    raw.put(key, value);
    origins.put(key, origin);
  }

  private static Map<String, String> readYaml(java.nio.file.Path file, List<Problem> problems) {
    String text;
    try {
      text = Files.readString(file);
    } catch (NoSuchFileException e) {
      problems.add(new Problem("(file)", file.toString(), "file not found"));
      return Map.of();
    } catch (IOException e) {
      problems.add(new Problem("(file)", file.toString(), "cannot read: " + e.getMessage()));
      return Map.of();
    }
    JsonNode root;
    try {
      root = new ObjectMapper(new YAMLFactory()).readTree(text);
    } catch (JacksonException e) {
      problems.add(
          new Problem(
              "(file)", file.toString(), "not valid YAML: " + e.getOriginalMessage() + at(e)));
      return Map.of();
    }
    Map<String, String> flat = new LinkedHashMap<>();
    if (root == null || root.isMissingNode() || root.isNull()) {
      return flat;
    }
    if (!root.isObject()) {
      problems.add(new Problem("(file)", file.toString(), "must be a YAML mapping of keys"));
      return flat;
    }
    flatten("", root, flat, file.toString(), problems);
    return flat;
  }

  private static String at(JacksonException e) {
    return e.getLocation() == null
        ? ""
        : " at line " + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr();
  }

  private static void flatten(
      String prefix, JsonNode node, Map<String, String> out, String origin, List<Problem> problems) {
    node.properties()
        .forEach(
            e -> {
              String key = prefix.isEmpty() ? e.getKey() : prefix + "." + e.getKey();
              JsonNode value = e.getValue();
              if (value.isObject()) {
                flatten(key, value, out, origin, problems);
              } else if (value.isArray()) {
                problems.add(new Problem(key, origin, "a list is not allowed here"));
              } else {
                out.put(key, value.isNull() ? "" : value.asText());
              }
            });
  }

  private static String suggestion(String key, Set<String> known) {
    return known.stream()
        .min(Comparator.comparingInt(k -> distance(k, key)))
        .filter(k -> distance(k, key) <= Math.max(2, key.length() / 4))
        .map(k -> "; did you mean " + k + "?")
        .orElse("; see docs/configuration.md for the keys");
  }

  private static int distance(String a, String b) {
    int[] prev = new int[b.length() + 1];
    int[] cur = new int[b.length() + 1];
    for (int j = 0; j <= b.length(); j++) {
      prev[j] = j;
    }
    for (int i = 1; i <= a.length(); i++) {
      cur[0] = i;
      for (int j = 1; j <= b.length(); j++) {
        int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
        cur[j] = Math.min(Math.min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + cost);
      }
      int[] t = prev;
      prev = cur;
      cur = t;
    }
    return prev[b.length()];
  }
}
