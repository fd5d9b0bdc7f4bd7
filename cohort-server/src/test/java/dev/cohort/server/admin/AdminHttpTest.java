package dev.cohort.server.admin;

import static dev.cohort.server.testing.ErrorAssertions.assertError;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cohort.server.testing.TestNode;
import dev.cohort.server.testing.TestNode.Reply;
import dev.cohort.server.testing.TestPackages;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/** The admin port: Administrators only, users/groups/ACLs, packages with load errors. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class AdminHttpTest {

  TestNode node;

  @BeforeAll
  void start(@TempDir Path dir) throws IOException {
    Path packages = TestPackages.deployTest(dir.resolve("packages"));
    Path broken = packages.resolve("Broken");
    Files.createDirectories(broken);
    Files.writeString(broken.resolve("package.yaml"), "name: Broken\nversion: [oops\n");
    node = TestNode.builder(dir.resolve("data"), packages).start();
    node.admin("POST", "/admin/api/users", "{\"name\":\"dave\",\"password\":\"dave-pw\"}").asAdmin().send();
  }

  @AfterAll
  void stop() {
    node.close();
  }

  @Test
  void adminApiNeedsCredentials() {
    assertError(node.admin("GET", "/admin/api/node", null).send(), 401, "COH-UNAUTHENTICATED");
  }

  @Test
  void adminApiIsOnlyForAdministrators() {
    assertError(node.admin("GET", "/admin/api/node", null).basic("dave", "dave-pw").send(), 403, "COH-FORBIDDEN");
  }

  @Test
  void adminApiIsNotOnThePrimaryPort() {
    assertThat(node.get("/admin/api/node").asAdmin().send().status()).isEqualTo(404);
    assertThat(node.get("/metrics").asAdmin().send().status()).isEqualTo(404);
  }

  @Test
  void nodeInfoShowsNameStateAndPorts() {
    JsonNode info = node.admin("GET", "/admin/api/node", null).asAdmin().send().json();
    assertThat(info.path("name").asText()).isEqualTo("test-node");
    assertThat(info.path("state").asText()).isEqualTo("ready");
    assertThat(info.path("port").asInt()).isEqualTo(node.node().port());
    assertThat(info.path("packagesWithErrors").asInt()).isEqualTo(1);
  }

  @Test
  void packagesListShowsLoadedServicesAndLoadErrors() {
    JsonNode packages = node.admin("GET", "/admin/api/packages", null).asAdmin().send().json();
    JsonNode test = find(packages, "Test");
    assertThat(test.path("state").asText()).isEqualTo("LOADED");
    assertThat(test.path("dir").asText()).doesNotStartWith("file:").endsWith("Test").doesNotContain("/./");
    assertThat(test.path("services").toString()).contains("test.echo:echo", "test.session:append");
    JsonNode broken = find(packages, "Broken");
    assertThat(broken.path("state").asText()).isEqualTo("FAILED");
    assertThat(broken.path("errors").get(0).asText()).contains("bad package.yaml");
  }

  @Test
  void aclAssignedThroughTheApiDeniesAUserOutsideTheAllowedGroups() {
    Reply before = node.post("/invoke/test.echo/echo", "{}").basic("dave", "dave-pw").send();
    assertThat(before.status()).isEqualTo(200);

    assertThat(node.admin("POST", "/admin/api/groups", "{\"name\":\"Staff\"}").asAdmin().send().status()).isEqualTo(201);
    assertThat(node.admin("PUT", "/admin/api/acls/StaffOnly", "{\"allow\":[\"Staff\"]}").asAdmin().send().status()).isEqualTo(200);
    assertThat(node.admin("PUT", "/admin/api/acl-assignments/test.echo", "{\"acl\":\"StaffOnly\"}").asAdmin().send().status())
        .isEqualTo(200);

    Reply denied = node.post("/invoke/test.echo/echo", "{}").basic("dave", "dave-pw").send();
    assertError(denied, 403, "COH-FORBIDDEN");
    assertThat(denied.body()).contains("StaffOnly");

    node.admin("PUT", "/admin/api/users/dave", "{\"groups\":[\"Staff\"]}").asAdmin().send();
    assertThat(node.post("/invoke/test.echo/echo", "{}").basic("dave", "dave-pw").send().status()).isEqualTo(200);

    // Deny wins over allow.
    assertThat(
            node.admin("PUT", "/admin/api/acls/StaffOnly", "{\"allow\":[\"Everybody\"],\"deny\":[\"Staff\"]}")
                .asAdmin().send().status())
        .isEqualTo(200);
    assertError(node.post("/invoke/test.echo/echo", "{}").basic("dave", "dave-pw").send(), 403, "COH-FORBIDDEN");

    node.admin("DELETE", "/admin/api/acl-assignments/test.echo", null).asAdmin().send();
    assertThat(node.post("/invoke/test.echo/echo", "{}").basic("dave", "dave-pw").send().status()).isEqualTo(200);
  }

  @Test
  void manifestAclGuardsAFolder() {
    assertError(node.post("/invoke/test.admin/secret", "{}").basic("dave", "dave-pw").send(), 403, "COH-FORBIDDEN");
    assertThat(node.post("/invoke/test.admin/secret", "{}").asAdmin().send().status()).isEqualTo(200);
  }

  @Test
  void userLifecycleAndClearErrors() {
    assertThat(node.admin("POST", "/admin/api/users", "{\"name\":\"erin\",\"password\":\"p1\"}").asAdmin().send().status()).isEqualTo(201);
    assertError(node.admin("POST", "/admin/api/users", "{\"name\":\"erin\",\"password\":\"p1\"}").asAdmin().send(), 409, "COH-CONFLICT");
    assertError(node.admin("POST", "/admin/api/users", "{\"name\":\"bad name!\",\"password\":\"p1\"}").asAdmin().send(), 400, "COH-INVALID-INPUT");
    assertError(node.admin("POST", "/admin/api/users", "{\"name\":\"x\",\"password\":\"p\",\"groups\":[\"Nope\"]}").asAdmin().send(), 404, "COH-NOT-FOUND");
    assertThat(node.post("/invoke/test.echo/echo", "{}").basic("erin", "p1").send().status()).isEqualTo(200);

    node.admin("PUT", "/admin/api/users/erin", "{\"password\":\"p2\"}").asAdmin().send();
    assertThat(node.post("/invoke/test.echo/echo", "{}").basic("erin", "p1").send().status()).as("old password").isEqualTo(401);
    assertThat(node.post("/invoke/test.echo/echo", "{}").basic("erin", "p2").send().status()).isEqualTo(200);

    node.admin("PUT", "/admin/api/users/erin", "{\"disabled\":true}").asAdmin().send();
    assertThat(node.post("/invoke/test.echo/echo", "{}").basic("erin", "p2").send().status()).as("disabled").isEqualTo(401);

    JsonNode users = node.admin("GET", "/admin/api/users", null).asAdmin().send().json();
    assertThat(users.toString()).contains("erin").doesNotContain("argon2").doesNotContain("p2");
  }

  @Test
  void mutationsMustSendJson() {
    Reply reply =
        node.admin("POST", "/admin/api/groups", "{\"name\":\"G\"}").asAdmin().header("Content-Type", "text/plain").send();
    assertError(reply, 415, "COH-MEDIA-TYPE");
  }

  private static JsonNode find(JsonNode packages, String name) {
    for (JsonNode p : packages) {
      if (p.path("name").asText().equals(name)) {
        return p;
      }
    }
    throw new AssertionError("no package " + name + " in " + packages);
  }
}
