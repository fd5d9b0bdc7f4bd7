package dev.cohort.bench;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.stream.Stream;

/**
 * What every stateful benchmark stands on: how node processes are launched, the shared
 * PostgreSQL server, a work directory, and a packages directory holding the repository's Samples
 * and the benchmark-only Bench package.
 *
 * @param launcher starts node JVMs
 * @param postgres the clusters' database server
 * @param work a temporary directory, deleted afterwards
 * @param packages the nodes' {@code packages.dir}
 * @param nodeSettings settings every node gets on top of the benchmark's ({@code --set})
 * @param out where results go
 */
record Rig(
    NodeProcess.Launcher launcher,
    Postgres postgres,
    Path work,
    Path packages,
    Map<String, String> nodeSettings,
    PrintStream out) {

  /** A standalone node named {@code name}. */
  Deployment standalone(String name) throws IOException, InterruptedException {
    return Deployment.standalone(this, name);
  }

  /** A stateful cluster of {@code size} nodes named {@code name}-1, … */
  Deployment stateful(String name, int size, Deployment.Replication replication)
      throws IOException, InterruptedException {
    return Deployment.stateful(this, name, size, replication);
  }

  /**
   * Copies the packages {@code Samples} (from {@code repositoryPackages}) and {@code Bench} into
   * {@code target} (a node reads one packages directory).
   *
   * @throws BenchException if either has not been built
   */
  static Path packages(Path repositoryPackages, Path benchPackage, Path target) throws IOException {
    Path samples = BenchNode.packagesDir(java.util.Optional.of(repositoryPackages), Path.of(""))
        .resolve("Samples");
    if (!Files.isRegularFile(benchPackage.resolve("package.yaml"))
        || !Files.isDirectory(benchPackage.resolve("lib"))) {
      throw new BenchException(
          "no built Bench package in " + benchPackage + "; run ./mvnw -q -B -DskipTests package"
              + " first (in the repository root)");
    }
    copyPackage(samples, target.resolve("Samples"));
    copyPackage(benchPackage, target.resolve("Bench"));
    return target;
  }

  /** Copies a deployed package: its {@code package.yaml} and {@code lib/*.jar}. */
  private static void copyPackage(Path from, Path to) throws IOException {
    Files.createDirectories(to.resolve("lib"));
    Files.copy(from.resolve("package.yaml"), to.resolve("package.yaml"));
    try (Stream<Path> jars = Files.list(from.resolve("lib"))) {
      for (Path jar : jars.filter(j -> j.toString().endsWith(".jar")).toList()) {
        Files.copy(jar, to.resolve("lib").resolve(jar.getFileName()));
      }
    }
  }
}
