package dev.cohort.server.testing;

import dev.cohort.server.testpkg.Echo;
import java.io.IOException;
import java.io.OutputStream;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.stream.Stream;

/**
 * Deploys packages for tests: the {@code Test} package is the compiled classes of {@code
 * dev.cohort.server.testpkg}, jarred into {@code <dir>/Test/lib/test.jar} with a manifest.
 */
public final class TestPackages {

  public static final String TEST_MANIFEST =
      """
      name: Test
      version: 1.0.0
      description: Services for the server's own tests
      services:
        test.echo:echo: dev.cohort.server.testpkg.Echo
        test.slow:sleep: dev.cohort.server.testpkg.Slow
      classes:
        - dev.cohort.server.testpkg.Failing
        - dev.cohort.server.testpkg.SessionServices
        - dev.cohort.server.testpkg.AppServices
        - dev.cohort.server.testpkg.Open
        - dev.cohort.server.testpkg.GdServices
      acls:
        test.admin: Administrators
        test.open: Anonymous
      guarantees:
        test.gd:ledger: exactly-once
        test.gdretry: retry
      """;

  private TestPackages() {}

  /** Writes the Test package under {@code packagesDir} and returns {@code packagesDir}. */
  public static Path deployTest(Path packagesDir) throws IOException {
    return deploy(packagesDir, "Test", TEST_MANIFEST, "dev/cohort/server/testpkg/");
  }

  /**
   * Writes package {@code name} with {@code manifest} and a jar of the test classes under {@code
   * classPrefix} (a resource path like {@code dev/cohort/server/testpkg/}).
   */
  public static Path deploy(Path packagesDir, String name, String manifest, String classPrefix)
      throws IOException {
    Path dir = packagesDir.resolve(name);
    Files.createDirectories(dir.resolve("lib"));
    Files.writeString(dir.resolve("package.yaml"), manifest);
    writeJar(dir.resolve("lib").resolve(name.toLowerCase() + ".jar"), classPrefix);
    return packagesDir;
  }

  /** The time of every jar entry written here (2020-01-01T00:00:00Z). */
  private static final long FIXED_TIME = 1_577_836_800_000L;

  /** Jars every class file under {@code classPrefix} of the test classes directory. */
  public static void writeJar(Path jar, String classPrefix) throws IOException {
    writeJar(jar, testClasses(), classPrefix);
  }

  /**
   * Jars every class file under {@code classPrefix} of the classes directory {@code classes}. The
   * jar is the same bytes every time (sorted entries, a fixed time): nodes that deploy the same
   * classes a few seconds apart must see the same package fingerprint.
   */
  public static void writeJar(Path jar, Path classes, String classPrefix) throws IOException {
    Path root = classes.resolve(classPrefix);
    List<Path> files;
    try (Stream<Path> walk = Files.walk(root)) {
      files = walk.filter(Files::isRegularFile).sorted().toList();
    }
    try (OutputStream out = Files.newOutputStream(jar);
        JarOutputStream jarOut = new JarOutputStream(out)) {
      for (Path file : files) {
        JarEntry entry = new JarEntry(classes.relativize(file).toString().replace('\\', '/'));
        entry.setTime(FIXED_TIME);
        jarOut.putNextEntry(entry);
        Files.copy(file, jarOut);
        jarOut.closeEntry();
      }
    }
  }

  /**
   * Copies a built package (its {@code package.yaml} and {@code lib/*.jar}), such as the
   * repository's {@code packages/Samples}, into {@code packagesDir}; returns {@code packagesDir}.
   */
  public static Path copy(Path packageDir, Path packagesDir) throws IOException {
    Path target = Files.createDirectories(packagesDir.resolve(packageDir.getFileName()).resolve("lib"));
    Files.copy(packageDir.resolve("package.yaml"), target.getParent().resolve("package.yaml"));
    try (Stream<Path> jars = Files.list(packageDir.resolve("lib"))) {
      for (Path jar : jars.filter(j -> j.toString().endsWith(".jar")).toList()) {
        Files.copy(jar, target.resolve(jar.getFileName()));
      }
    }
    return packagesDir;
  }

  private static Path testClasses() {
    try {
      return Path.of(Echo.class.getProtectionDomain().getCodeSource().getLocation().toURI());
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }
}
