package dev.cohort.server.http;

import static dev.cohort.server.testing.ErrorAssertions.assertError;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.cohort.server.testing.LogCapture;
import dev.cohort.server.testing.MutableClock;
import dev.cohort.server.testing.TestNode;
import dev.cohort.server.testing.TestNode.Reply;
import dev.cohort.server.testing.TestPackages;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/** Sessions over HTTP: header and cookie, CSRF, rotation, expiry, serializability. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SessionHttpTest {

  TestNode node;
  final MutableClock clock = MutableClock.atNow();

  @BeforeAll
  void start(@TempDir Path dir) throws IOException {
    node =
        TestNode.builder(dir.resolve("data"), TestPackages.deployTest(dir.resolve("packages")))
            .set("session.timeout", "10m")
            .set("session.sweep-interval", "100ms")
            .clock(clock)
            .start();
    node.admin("POST", "/admin/api/users", "{\"name\":\"alice\",\"password\":\"alice-pw\"}").asAdmin().send();
    node.admin("POST", "/admin/api/users", "{\"name\":\"bob\",\"password\":\"bob-pw\"}").asAdmin().send();
  }

  @AfterAll
  void stop() {
    node.close();
  }

  @Test
  void firstAuthenticatedCallCreatesASessionAndTheIdAloneAuthenticatesLaterCalls() {
    Reply first = node.post("/invoke/test.session/append", "{\"item\":\"a\"}").basic("alice", "alice-pw").send();
    assertThat(first.status()).isEqualTo(200);
    String id = first.sessionId();
    assertThat(first.header("Set-Cookie")).hasValueSatisfying(c -> assertThat(c).contains("cohort_session=" + id).contains("HttpOnly").containsIgnoringCase("SameSite=Lax"));

    Reply second = node.post("/invoke/test.session/append", "{\"item\":\"b\"}").session(id).send();
    assertThat(second.status()).isEqualTo(200);
    assertThat(second.json().path("size").asInt()).isEqualTo(2);
    assertThat(second.sessionId()).isEqualTo(id);
    assertThat(node.post("/invoke/test.session/whoami", "{}").session(id).send().json().path("user").asText())
        .isEqualTo("alice");
  }

  @Test
  void inPlaceMutationOfAnAttributeIsSaved() {
    String id = node.post("/invoke/test.session/append", "{\"item\":\"x\"}").basic("alice", "alice-pw").send().sessionId();
    for (int i = 0; i < 4; i++) {
      node.post("/invoke/test.session/append", "{\"item\":\"y" + i + "\"}").session(id).send();
    }
    Reply value = node.post("/invoke/test.session/get", "{\"name\":\"log\"}").session(id).send();
    assertThat(value.json().path("value").asText()).isEqualTo("[x, y0, y1, y2, y3]");
  }

  @Test
  void cookieAuthenticatedPostNeedsTheCsrfToken() {
    Reply login = node.post("/login", "{\"user\":\"alice\",\"password\":\"alice-pw\"}").send();
    assertThat(login.status()).isEqualTo(200);
    String id = login.sessionId();
    String token = login.json().path("csrfToken").asText();
    assertThat(token).isNotBlank();

    assertError(node.post("/invoke/test.session/whoami", "{}").cookie(id).send(), 403, "COH-CSRF");
    assertError(
        node.post("/invoke/test.session/whoami", "{}").cookie(id).header("X-Cohort-CSRF", "forged").send(),
        403,
        "COH-CSRF");
    Reply ok = node.post("/invoke/test.session/whoami", "{}").cookie(id).header("X-Cohort-CSRF", token).send();
    assertThat(ok.status()).isEqualTo(200);
    assertThat(ok.json().path("user").asText()).isEqualTo("alice");

    // GET /session gives the token to a page that only has the cookie.
    assertThat(node.get("/session").cookie(id).send().json().path("csrfToken").asText()).isEqualTo(token);
  }

  @Test
  void crossSiteRequestsWithCookiesAreRefused() {
    String id = node.post("/login", "{\"user\":\"alice\",\"password\":\"alice-pw\"}").send().sessionId();
    assertError(
        node.post("/invoke/test.session/whoami", "{}").cookie(id).header("Sec-Fetch-Site", "cross-site").send(),
        403,
        "COH-CROSS-SITE");
  }

  @Test
  void loginRotatesTheSessionIdSoAPlantedIdIsWorthless() {
    // An attacker logs in and plants its own session id in the victim's browser.
    String planted = node.post("/login", "{\"user\":\"bob\",\"password\":\"bob-pw\"}").send().sessionId();

    Reply victim = node.post("/login", "{\"user\":\"alice\",\"password\":\"alice-pw\"}").session(planted).send();
    String aliceId = victim.sessionId();
    assertThat(aliceId).isNotEqualTo(planted);
    // The planted id no longer works at all.
    assertError(node.post("/invoke/test.session/whoami", "{}").session(planted).send(), 401, "COH-UNAUTHENTICATED");
    assertThat(node.post("/invoke/test.session/whoami", "{}").session(aliceId).send().json().path("user").asText())
        .isEqualTo("alice");
  }

  @Test
  void basicCredentialsOfAnotherUserOnASessionGetANewSession() {
    String bobs = node.post("/invoke/test.session/append", "{\"item\":\"bob-item\"}").basic("bob", "bob-pw").send().sessionId();
    Reply alice = node.post("/invoke/test.session/get", "{\"name\":\"log\"}").basic("alice", "alice-pw").session(bobs).send();
    assertThat(alice.sessionId()).isNotEqualTo(bobs);
    assertThat(alice.json().path("value").isNull()).as("alice must not see bob's attributes").isTrue();
  }

  @Test
  void idleSessionsExpireAndAreSwept() {
    String id = node.post("/invoke/test.session/append", "{\"item\":\"a\"}").basic("alice", "alice-pw").send().sessionId();
    int before = node.node().sessionCount();
    clock.advance(Duration.ofMinutes(9));
    assertThat(node.post("/invoke/test.session/whoami", "{}").session(id).send().status()).isEqualTo(200);
    clock.advance(Duration.ofMinutes(9));
    assertThat(node.post("/invoke/test.session/whoami", "{}").session(id).send().status())
        .as("used 9 minutes ago: still alive")
        .isEqualTo(200);

    clock.advance(Duration.ofMinutes(11));
    Reply expired = node.post("/invoke/test.session/whoami", "{}").session(id).send();
    assertError(expired, 401, "COH-UNAUTHENTICATED");
    assertThat(expired.body()).contains("expired or is unknown");
    await().atMost(Duration.ofSeconds(10)).until(() -> node.node().sessionCount() < before);
  }

  @Test
  void nonSerializableAttributeIsReplacedByItsClassNameWithAWarning() {
    try (LogCapture log = new LogCapture()) {
      String id = node.post("/invoke/test.session/putUnserializable", "{}").basic("alice", "alice-pw").send().sessionId();
      assertThat(log.messages())
          .anySatisfy(m -> assertThat(m).contains("COH.0300.0001W").contains("thing").contains("NotSerializable"));

      Reply value = node.post("/invoke/test.session/get", "{\"name\":\"thing\"}").session(id).send();
      assertThat(value.json().path("type").asText()).isEqualTo("java.lang.String");
      assertThat(value.json().path("value").asText()).contains("SessionServices$NotSerializable");
    }
  }

  @Test
  void invalidatedSessionEndsAndTheCookieIsCleared() {
    Reply login = node.post("/login", "{\"user\":\"alice\",\"password\":\"alice-pw\"}").send();
    String id = login.sessionId();
    String token = login.json().path("csrfToken").asText();
    Reply ended = node.post("/invoke/test.session/invalidate", "{}").cookie(id).header("X-Cohort-CSRF", token).send();
    assertThat(ended.status()).isEqualTo(200);
    assertThat(ended.header("X-Cohort-Session")).isEmpty();
    assertThat(ended.header("Set-Cookie"))
        .hasValueSatisfying(c -> assertThat(c).startsWith("cohort_session=;").contains("Expires=Thu, 01 Jan 1970"));
    assertError(node.post("/invoke/test.session/whoami", "{}").session(id).send(), 401, "COH-UNAUTHENTICATED");
  }

  @Test
  void logoutEndsTheSession() {
    String id = node.post("/login", "{\"user\":\"alice\",\"password\":\"alice-pw\"}").send().sessionId();
    assertThat(node.post("/logout", "").session(id).send().json().path("loggedOut").asBoolean()).isTrue();
    assertError(node.post("/invoke/test.session/whoami", "{}").session(id).send(), 401, "COH-UNAUTHENTICATED");
  }

  @Test
  void aRemovedUsersSessionNoLongerAuthenticates() {
    node.admin("POST", "/admin/api/users", "{\"name\":\"carol\",\"password\":\"carol-pw\"}").asAdmin().send();
    String id = node.post("/login", "{\"user\":\"carol\",\"password\":\"carol-pw\"}").send().sessionId();
    assertThat(node.admin("DELETE", "/admin/api/users/carol", null).asAdmin().send().status()).isEqualTo(200);
    assertError(node.post("/invoke/test.session/whoami", "{}").session(id).send(), 401, "COH-UNAUTHENTICATED");
  }

  @Test
  void aLoginFormFromAnotherSiteIsRefused() {
    assertError(
        node.post("/login", "{\"user\":\"alice\",\"password\":\"alice-pw\"}")
            .header("Content-Type", "application/x-www-form-urlencoded")
            .send(),
        415,
        "COH-MEDIA-TYPE");
  }

  @Test
  void wrongLoginIs401AndMissingFieldsAre400() {
    assertError(node.post("/login", "{\"user\":\"alice\",\"password\":\"nope\"}").send(), 401, "COH-UNAUTHENTICATED");
    assertError(node.post("/login", "{\"user\":\"alice\"}").send(), 400, "COH-INVALID-INPUT");
  }
}
