package dev.cohort.server.config;

import static dev.cohort.server.config.Setting.Tier.ESSENTIAL;

import java.nio.file.Path;
import java.util.List;

/** @param dir the directory holding one sub-directory per package */
public record PackagesConfig(Path dir) {

  static final Setting<Path> DIR =
      Setting.path(
          "packages.dir",
          "./packages",
          ESSENTIAL,
          "Directory holding the packages: one sub-directory each, with a package.yaml"
              + " manifest and its jars in lib/.");

  static final List<Setting<?>> SETTINGS = List.of(DIR);

  static PackagesConfig from(Values v) {
    return new PackagesConfig(v.get(DIR));
  }
}
