package dev.cohort.server.config;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Map;
import java.util.TreeMap;

/**
 * Settings a node records about itself through the admin API — so far only {@code
 * cluster.enabled: false} after {@code cohort node remove} — in {@code <data-dir>/node-overrides.yaml}.
 * They outrank every other source, because they record an operator's explicit action; {@code
 * cohort node add} removes them again.
 */
public final class NodeOverrides {

  static final String FILE = "node-overrides.yaml";
  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

  private NodeOverrides() {}

  public static Path file(Path dataDir) {
    return dataDir.resolve(FILE);
  }

  /** The overrides recorded in {@code dataDir}; empty if none. */
  public static Map<String, String> read(Path dataDir) {
    Path file = file(dataDir);
    if (!Files.isRegularFile(file)) {
      return Map.of();
    }
    try {
      Map<String, String> values = new TreeMap<>();
      YAML.readTree(file.toFile()).properties().forEach(e -> values.put(e.getKey(), e.getValue().asText()));
      return values;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + file + ": " + e.getMessage(), e);
    }
  }

  /** Records {@code key: value}; {@code value} null removes the key. */
  public static void put(Path dataDir, String key, String value) {
    Map<String, String> values = new TreeMap<>(read(dataDir));
    if (value == null) {
      values.remove(key);
    } else {
      values.put(key, value);
    }
    Path file = file(dataDir);
    try {
      Files.createDirectories(dataDir);
      if (values.isEmpty()) {
        Files.deleteIfExists(file);
        return;
      }
      Path tmp = Files.createTempFile(dataDir, FILE, ".tmp");
      Files.writeString(
          tmp,
          "# Written by this node (cohort node remove/add). Outranks cohort.yaml, COHORT_* and --set.\n"
              + YAML.writeValueAsString(values).replaceFirst("^---\\n", ""));
      Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + file + ": " + e.getMessage(), e);
    }
  }
}
