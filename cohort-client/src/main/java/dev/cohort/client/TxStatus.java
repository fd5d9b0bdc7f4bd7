package dev.cohort.client;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Optional;

/**
 * What the server knows of a guaranteed-delivery transaction (its status document, {@code GET
 * /gd/tx/{tid}}).
 *
 * @param tid the transaction id
 * @param state where the transaction is
 * @param service the service run under it, once one was called
 * @param attempts how many times the service was started
 * @param retriesLeft how many more attempts the server makes after a failed one
 * @param expiresAt when the server gives the transaction up (its TTL, counted from the start)
 * @param result the service's output, when {@link State#DONE} and not sent with {@link
 *     TContext#sendTx}
 * @param failure the service's error, when {@link State#FAILED} or {@link State#IN_DOUBT}
 */
public record TxStatus(
    String tid,
    State state,
    Optional<String> service,
    int attempts,
    int retriesLeft,
    Instant expiresAt,
    Optional<JsonNode> result,
    Optional<Failure> failure) {

  /** Where a transaction is. */
  public enum State {
    /** Started; its service has not run yet (or a restart made it runnable again). */
    NEW,
    /** Its service is running on a node now. */
    PENDING,
    /** Its service ran; the result is kept until the transaction ends. */
    DONE,
    /** Its service threw, or ran out of retries; the error is kept and replayed. */
    FAILED,
    /** An attempt crashed while running an at-most-once service: an operator must decide. */
    IN_DOUBT;

    /** Whether the transaction stays this way until someone restarts or ends it. */
    public boolean settled() {
      return this == DONE || this == FAILED || this == IN_DOUBT;
    }
  }

  /**
   * The error stored with a failed or in-doubt transaction.
   *
   * @param status the HTTP status the service's error came with, e.g. 500
   * @param code the server's error code, e.g. {@code COH-SERVICE-FAILED}
   * @param message what the server said
   */
  public record Failure(int status, String code, String message) {}

  /** Reads a status document. */
  static TxStatus of(JsonNode doc) {
    String tid = doc.path("tid").asText("");
    try {
      State state = State.valueOf(doc.path("state").asText(""));
      JsonNode error = doc.path("error");
      return new TxStatus(
          tid,
          state,
          text(doc.path("service")),
          doc.path("attempts").asInt(0),
          doc.path("retriesLeft").asInt(0),
          Instant.parse(doc.path("expiresAt").asText("")),
          doc.path("result").isObject() ? Optional.of(doc.path("result")) : Optional.empty(),
          error.isObject()
              ? Optional.of(
                  new Failure(
                      error.path("status").asInt(500),
                      error.path("code").asText(""),
                      error.path("message").asText("")))
              : Optional.empty());
    } catch (IllegalArgumentException | DateTimeParseException e) {
      throw new CohortClientException("the server's status document of tx " + tid + " cannot be read: " + doc, e);
    }
  }

  private static Optional<String> text(JsonNode node) {
    return node.isTextual() ? Optional.of(node.asText()) : Optional.empty();
  }
}
