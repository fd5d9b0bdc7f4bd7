package dev.cohort.server.gd;

import java.time.Instant;
import java.util.Optional;

/**
 * One transaction's record in the job store, as read (with the database's view of the time).
 *
 * @param tid the transaction id
 * @param owner the user it belongs to
 * @param kind who made it: a transactional client or an {@code Idempotency-Key}
 * @param state where it is
 * @param service the service it runs; empty until the first invoke or submit
 * @param guarantee the service's declared guarantee at the first attempt, as its label
 * @param bodyHash SHA-256 of the first request's body
 * @param input the first request's body (JSON), kept so that recovery and resubmission can run it
 * @param createdAt when it started
 * @param updatedAt when its record last changed
 * @param expiresAt when its TTL (or retention) ends
 * @param ttlMillis its TTL
 * @param retries how often a crashed attempt may run again, as started
 * @param retriesLeft how many of those are left
 * @param attempts how many attempts started
 * @param leaseToken the fencing token of the latest attempt
 * @param leaseNode the node holding the lease, while PENDING
 * @param leaseUntil when that lease ends unless renewed
 * @param discard a fire-and-forget send: the result is not kept
 * @param statusCode the HTTP status of the stored outcome
 * @param result the stored output (JSON), when DONE
 * @param errorCode the stored error's code, when FAILED or IN_DOUBT
 * @param errorMessage the stored error's message
 * @param expired whether the TTL has passed, on the database's clock
 * @param leaseBroken whether the lease has run out, on the database's clock
 */
public record Tx(
    String tid,
    String owner,
    Kind kind,
    TxState state,
    Optional<String> service,
    Optional<String> guarantee,
    Optional<String> bodyHash,
    Optional<String> input,
    Instant createdAt,
    Instant updatedAt,
    Instant expiresAt,
    long ttlMillis,
    int retries,
    int retriesLeft,
    int attempts,
    long leaseToken,
    Optional<String> leaseNode,
    Optional<Instant> leaseUntil,
    boolean discard,
    Optional<Integer> statusCode,
    Optional<String> result,
    Optional<String> errorCode,
    Optional<String> errorMessage,
    boolean expired,
    boolean leaseBroken) {

  /**
   * The status document of the protocol ({@code docs/guaranteed-delivery.md}); for an operator
   * also who owns it, where its lease is, its guarantee and its stored request.
   */
  public java.util.Map<String, Object> describe(boolean operator) {
    java.util.Map<String, Object> doc = new java.util.LinkedHashMap<>();
    doc.put("tid", tid);
    doc.put("state", state.name());
    doc.put("service", service.orElse(null));
    doc.put("attempts", attempts);
    doc.put("retriesLeft", retriesLeft);
    doc.put("expiresAt", expiresAt.toString());
    if (state == TxState.DONE) {
      result.ifPresent(r -> doc.put("result", json(r)));
    }
    if (errorCode.isPresent()) {
      java.util.Map<String, Object> error = new java.util.LinkedHashMap<>();
      error.put("status", statusCode.orElse(500));
      error.put("code", errorCode.get());
      error.put("message", errorMessage.orElse(""));
      doc.put("error", error);
    }
    if (operator) {
      doc.put("user", owner);
      doc.put("kind", kind.name());
      doc.put("guarantee", guarantee.orElse(null));
      doc.put("retries", retries);
      doc.put("createdAt", createdAt.toString());
      doc.put("updatedAt", updatedAt.toString());
      doc.put("leaseNode", leaseNode.orElse(null));
      doc.put("leaseUntil", leaseUntil.map(Object::toString).orElse(null));
      doc.put("leaseToken", leaseToken);
      doc.put("discard", discard);
      input.ifPresent(i -> doc.put("input", json(i)));
    }
    return doc;
  }

  private static dev.cohort.api.Document json(String text) {
    return dev.cohort.server.http.Json.readDocument(text.getBytes(java.nio.charset.StandardCharsets.UTF_8));
  }

  /** Who made a transaction. */
  public enum Kind {
    /** A transactional client ({@code POST /gd/tx}, TContext, {@code pub.remote.gd:start}). */
    TX,
    /** An {@code Idempotency-Key} header on {@code /invoke}. */
    KEY
  }
}
