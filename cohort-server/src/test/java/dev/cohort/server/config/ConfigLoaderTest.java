package dev.cohort.server.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigLoaderTest {

  @TempDir Path dir;

  @Test
  void defaultsAreTheDocumentedOnes() {
    CohortConfig c = CohortConfig.defaults();
    assertThat(c.http().port()).isEqualTo(5555);
    assertThat(c.admin().port()).isEqualTo(9999);
    assertThat(c.node().dataDir()).isEqualTo(Path.of("./data"));
    assertThat(c.session().timeout()).isEqualTo(Duration.ofMinutes(60));
    assertThat(c.http().maxBodySize()).isEqualTo(10L * 1024 * 1024);
    assertThat(c.node().name()).isNotBlank();
  }

  @Test
  void fileThenEnvironmentThenSetOverride() throws IOException {
    Path file = write("http:\n  port: 6000\nsession:\n  timeout: 15\nnode.name: from-file\n");
    ConfigLoader.Loaded loaded =
        ConfigLoader.load(
            new ConfigSources(
                Optional.of(file),
                Map.of("COHORT_HTTP_PORT", "7000", "COHORT_ADMIN_PORT", "7001", "PATH", "/bin"),
                Map.of("admin.port", "7002")));
    CohortConfig c = loaded.config();
    assertThat(c.http().port()).isEqualTo(7000);
    assertThat(c.admin().port()).isEqualTo(7002);
    assertThat(c.session().timeout()).as("bare number in minutes").isEqualTo(Duration.ofMinutes(15));
    assertThat(c.node().name()).isEqualTo("from-file");
    assertThat(loaded.origins())
        .containsEntry("http.port", "environment COHORT_HTTP_PORT")
        .containsEntry("admin.port", "--set admin.port")
        .containsEntry("node.name", file.toString());
  }

  @Test
  void everyProblemIsReportedWithItsKey() throws IOException {
    Path file =
        write(
            """
            http:
              port: seventy
              max-body-size: 10 parsecs
            sesion:
              timeout: 5m
            logging:
              level: loud
            """);
    assertThatThrownBy(
            () ->
                ConfigLoader.load(
                    new ConfigSources(Optional.of(file), Map.of(), Map.of("admin.port", "70000"))))
        .isInstanceOfSatisfying(
            ConfigException.class,
            e ->
                assertThat(e.problems())
                    .extracting(Problem::key)
                    .containsExactlyInAnyOrder(
                        "http.port", "http.max-body-size", "sesion.timeout", "logging.level", "admin.port"))
        .hasMessageContaining("did you mean session.timeout?")
        .hasMessageContaining("'seventy' is not a whole number")
        .hasMessageContaining("70000 is out of range")
        .hasMessageContaining("not one of error, warn, info, debug, trace");
  }

  @Test
  void samePortForBothIsRefused() {
    assertThatThrownBy(() -> ConfigLoader.load(ConfigSources.none().with("admin.port", "5555")))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("admin.port: must differ from http.port");
  }

  @Test
  void unreadableYamlSaysWhere() throws IOException {
    Path file = write("http:\n  port: [1\n");
    assertThatThrownBy(() -> ConfigLoader.load(new ConfigSources(Optional.of(file), Map.of(), Map.of())))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("not valid YAML")
        .hasMessageContaining("line");
  }

  @Test
  void missingFileIsAProblem() {
    assertThatThrownBy(
            () -> ConfigLoader.load(new ConfigSources(Optional.of(dir.resolve("nope.yaml")), Map.of(), Map.of())))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("file not found");
  }

  @Test
  void secretsAreMaskedInEverythingPrintable() {
    ConfigLoader.Loaded loaded =
        ConfigLoader.load(
            new ConfigSources(Optional.empty(), Map.of("COHORT_DATABASE_PASSWORD", "hunter2"), Map.of()));
    assertThat(loaded.config().database().password().reveal()).isEqualTo("hunter2");
    assertThat(loaded.toString()).doesNotContain("hunter2");
    assertThat(loaded.raw()).containsEntry("database.password", "****");
  }

  @Test
  void unknownCohortVariablesAreNotedNotFatal() {
    ConfigLoader.Loaded loaded =
        ConfigLoader.load(
            new ConfigSources(
                Optional.empty(), Map.of("COHORT_HTTP_PROT", "1", "COHORT_ADMIN_PASSWORD", "x"), Map.of()));
    assertThat(loaded.notes()).singleElement().asString().contains("COHORT_HTTP_PROT");
  }

  @Test
  void sizesAndDurationsAcceptUnits() {
    CohortConfig c =
        ConfigLoader.load(
                ConfigSources.none()
                    .with("http.max-body-size", "512KB")
                    .with("session.timeout", "90s")
                    .with("node.shutdown-timeout", "1500ms"))
            .config();
    assertThat(c.http().maxBodySize()).isEqualTo(512 * 1024);
    assertThat(c.session().timeout()).isEqualTo(Duration.ofSeconds(90));
    assertThat(c.node().shutdownTimeout()).isEqualTo(Duration.ofMillis(1500));
  }

  @Test
  void everySettingIsDocumentedWithItsDefault() throws IOException {
    Path docs = repoRoot().resolve("docs/configuration.md");
    String text = Files.readString(docs);
    for (Setting<?> s : CohortConfig.settings()) {
      assertThat(text).as("docs/configuration.md documents %s", s.key()).contains("`" + s.key() + "`");
      if (!s.defaultValue().isEmpty()) {
        assertThat(text).as("docs/configuration.md gives the default of %s", s.key()).contains("`" + s.defaultValue() + "`");
      }
    }
  }

  private static Path repoRoot() {
    Path p = Path.of("").toAbsolutePath();
    while (p != null && !Files.exists(p.resolve("mvnw"))) {
      p = p.getParent();
    }
    return p;
  }

  private Path write(String yaml) throws IOException {
    Path file = dir.resolve("cohort.yaml");
    Files.writeString(file, yaml);
    return file;
  }
}
