package dev.cohort.server.testing;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cohort.server.testing.TestNode.Reply;

/** Assertions on the JSON error contract. */
public final class ErrorAssertions {

  private ErrorAssertions() {}

  /** {@code reply} is a JSON error with {@code status}, {@code code}, a message and a request id. */
  public static void assertError(Reply reply, int status, String code) {
    assertThat(reply.status()).as(reply.toString()).isEqualTo(status);
    assertThat(reply.errorCode()).as(reply.toString()).isEqualTo(code);
    assertThat(reply.json().path("error").path("message").asText()).isNotBlank();
    assertThat(reply.json().path("error").path("requestId").asText()).isNotBlank();
  }
}
