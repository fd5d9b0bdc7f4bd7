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

  /** Who made a transaction. */
  public enum Kind {
    /** A transactional client ({@code POST /gd/tx}, TContext, {@code pub.remote.gd:start}). */
    TX,
    /** An {@code Idempotency-Key} header on {@code /invoke}. */
    KEY
  }
}
