package dev.cohort.bench;

import dev.cohort.server.CohortNode;
import dev.cohort.server.config.ConfigLoader;
import dev.cohort.server.config.ConfigSources;
import dev.cohort.server.config.SecurityConfig;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.InstantSource;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Optional;

/**
 * A real Cohort node for the benchmark: its own data directory, the repository's packages, random
 * loopback ports, production security settings (the default Argon2id cost is never lowered), and
 * an ordinary user {@code bench} with a random password, created through the admin API.
 *
 * <p>One setting differs from the defaults: sessions expire after {@link #SESSION_TIMEOUT} idle
 * (swept every {@link #SESSION_SWEEP}) instead of 60 minutes. The addItem load abandons a session
 * every {@code --cart-items} calls, about a thousand a second; with the default timeout they
 * would pile up to {@code session.max-sessions} in a long run. Sessions in use never idle that
 * long.
 */
final class BenchNode implements AutoCloseable {

  static final String USER = "bench";
  static final Duration SESSION_TIMEOUT = Duration.ofSeconds(20);
  static final Duration SESSION_SWEEP = Duration.ofSeconds(5);
  private static final String HOST = "127.0.0.1";

  private final CohortNode node;
  private final String password;

  private BenchNode(CohortNode node, String password) {
    this.node = node;
    this.password = password;
  }

  /**
   * Starts a node in {@code dataDir} serving {@code packagesDir} and creates the benchmark user.
   *
   * @param console where the node's console output goes
   */
  static BenchNode start(Path dataDir, Path packagesDir, PrintStream console)
      throws IOException, InterruptedException {
    ConfigSources sources =
        ConfigSources.none()
            .with("node.name", "bench")
            .with("node.data-dir", dataDir.toString())
            .with("node.shutdown-timeout", "5s")
            .with("packages.dir", packagesDir.toString())
            .with("http.host", HOST)
            .with("http.port", "0")
            .with("admin.host", HOST)
            .with("admin.port", "0")
            .with("session.timeout", SESSION_TIMEOUT.toSeconds() + "s")
            .with("session.sweep-interval", SESSION_SWEEP.toSeconds() + "s");
    String adminPassword = randomPassword();
    CohortNode node =
        CohortNode.start(
            ConfigLoader.load(sources).config(),
            new CohortNode.Environment(
                Optional.of(adminPassword), console, InstantSource.system()));
    String password = randomPassword();
    try {
      createUser(node, adminPassword, password);
    } catch (IOException | InterruptedException | RuntimeException e) {
      node.close();
      throw e;
    }
    return new BenchNode(node, password);
  }

  /**
   * The packages directory: {@code given}, or the first {@code packages/} holding {@code Samples}
   * in {@code workingDir} or a parent of it.
   *
   * @throws BenchException if there is none, or the Samples package has not been built
   */
  static Path packagesDir(Optional<Path> given, Path workingDir) {
    Path dir =
        given.orElseGet(
            () -> {
              for (Path d = workingDir.toAbsolutePath(); d != null; d = d.getParent()) {
                if (Files.isRegularFile(d.resolve("packages/Samples/package.yaml"))) {
                  return d.resolve("packages");
                }
              }
              throw new BenchException(
                  "cannot find the packages directory (looked for packages/Samples/package.yaml"
                      + " in " + workingDir.toAbsolutePath() + " and its parents); run from the"
                      + " repository or pass --packages DIR");
            });
    Path lib = dir.resolve("Samples/lib");
    if (!hasJar(lib)) {
      throw new BenchException(
          "no Samples package jar in " + lib + "; run ./mvnw -DskipTests package first (in the"
              + " repository root)");
    }
    return dir;
  }

  private static boolean hasJar(Path dir) {
    if (!Files.isDirectory(dir)) {
      return false;
    }
    try (DirectoryStream<Path> jars = Files.newDirectoryStream(dir, "*.jar")) {
      return jars.iterator().hasNext();
    } catch (IOException e) {
      return false;
    }
  }

  private static void createUser(CohortNode node, String adminPassword, String password)
      throws IOException, InterruptedException {
    HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
    HttpRequest request =
        HttpRequest.newBuilder(
                URI.create("http://" + HOST + ":" + node.adminPort() + "/admin/api/users"))
            .timeout(Duration.ofSeconds(30))
            .header("Authorization", basic("Administrator", adminPassword))
            .header("Content-Type", "application/json")
            .POST(
                HttpRequest.BodyPublishers.ofString(
                    "{\"name\":\"" + USER + "\",\"password\":\"" + password + "\"}"))
            .build();
    HttpResponse<String> response = client.send(request, HttpResponse.BodyHandlers.ofString());
    if (response.statusCode() != 201) {
      throw new BenchException(
          "could not create the benchmark user through the admin API: "
              + response.statusCode() + " " + response.body());
    }
  }

  /** A random password: 32 hex digits. */
  private static String randomPassword() {
    byte[] bytes = new byte[16];
    new SecureRandom().nextBytes(bytes);
    return HexFormat.of().formatHex(bytes);
  }

  private static String basic(String user, String password) {
    return "Basic "
        + Base64.getEncoder()
            .encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
  }

  /** The {@code Authorization} header of the benchmark user. */
  String authorization() {
    return basic(USER, password);
  }

  /** The primary port's URL, e.g. {@code http://127.0.0.1:41234}. */
  String baseUrl() {
    return "http://" + HOST + ":" + node.port();
  }

  int sessionCount() {
    return node.sessionCount();
  }

  /** The password hash and credential cache settings in force, for the report. */
  String security() {
    SecurityConfig security = node.config().security();
    return "Argon2id m=" + security.hashMemoryKib() + " KiB, t=" + security.hashIterations()
        + " (node defaults), credential cache TTL " + security.credentialCacheTtl().toSeconds()
        + " s";
  }

  @Override
  public void close() {
    node.close();
  }
}
