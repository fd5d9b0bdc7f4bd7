package dev.cohort.server.gd;

import dev.cohort.server.db.Database;
import dev.cohort.server.db.Dialect;
import dev.cohort.server.pkg.Guarantee;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The {@code cohort_gd_tx} table: every rule about a transaction's state is one conditional SQL
 * statement here, so that nodes sharing the database agree without talking to each other.
 *
 * <p>A claim locks the row ({@code FOR UPDATE NOWAIT}), decides, and on a run bumps the lease
 * token. Ending an attempt is an {@code UPDATE ... WHERE lease_token = ?}: once a lease is
 * broken and another attempt claimed the row, the old attempt's end matches no row, and its
 * shared-transaction work rolls back with it (fencing). Times are the database's.
 */
final class JobStore {

  /** The error code stored when the retry limit is reached. */
  static final String RETRIES_EXHAUSTED = "COH-GD-RETRIES";
  /** The error code stored when an at-most-once attempt crashed. */
  static final String IN_DOUBT = "COH-GD-IN-DOUBT";
  /** The error code stored when a crashed attempt's TTL had passed too. */
  static final String EXPIRED = "COH-GD-EXPIRED";

  private static final String COLUMNS =
      "tid, owner_name, kind, state, service, guarantee, body_hash, input, created_at,"
          + " updated_at, expires_at, ttl_ms, retries, retries_left, attempts, lease_token,"
          + " lease_node, lease_until, discard, status_code, result, error_code, error_message,"
          + " CASE WHEN expires_at < CURRENT_TIMESTAMP THEN TRUE ELSE FALSE END AS expired,"
          + " CASE WHEN lease_until IS NOT NULL AND lease_until < CURRENT_TIMESTAMP"
          + " THEN TRUE ELSE FALSE END AS lease_broken";

  /**
   * How long an expired transaction stays before the sweeper removes it. Meanwhile a client
   * whose clock runs behind the database's gets a clear 410 instead of a 404, which it could take
   * for a start that never arrived (and start again).
   */
  static final java.time.Duration SWEEP_GRACE = java.time.Duration.ofMinutes(5);

  private final Database database;
  private final Dialect dialect;
  private final long sweepGraceMillis;

  JobStore(Database database) {
    this(database, SWEEP_GRACE);
  }

  JobStore(Database database, java.time.Duration sweepGrace) {
    this.database = database;
    this.dialect = database.dialect();
    this.sweepGraceMillis = sweepGrace.toMillis();
  }

  Database database() {
    return database;
  }

  /** What a claim decided. */
  sealed interface Claim {
    /** Run it: this attempt holds the lease with {@code token}. */
    record Run(Tx tx, long token) implements Claim {}

    /** It is DONE, FAILED or IN_DOUBT: replay or report the stored outcome. */
    record Ended(Tx tx) implements Claim {}

    /** Another attempt holds a live lease. */
    record Running(Tx tx) implements Claim {}

    /** Its TTL passed before it completed. */
    record Expired(Tx tx) implements Claim {}

    /** No such transaction for this user. */
    record Unknown() implements Claim {}

    /** The tid was first used {@code how}: for another service, or with another body. */
    record Mismatch(Tx tx, String how) implements Claim {}
  }

  /**
   * One attempt's request.
   *
   * @param tid the transaction id
   * @param owner the calling user
   * @param kind for an {@link Tx.Kind#KEY}, the record is made on first use
   * @param service the service's name
   * @param guarantee its declared guarantee
   * @param bodyHash the request body's SHA-256
   * @param input the request body
   * @param discard a fire-and-forget send
   * @param ttlMillis for a record made on first use: its retention
   * @param retries for a record made on first use: its retry limit
   */
  record Request(
      String tid,
      String owner,
      Tx.Kind kind,
      String service,
      Guarantee guarantee,
      String bodyHash,
      String input,
      boolean discard,
      long ttlMillis,
      int retries) {}

  /** What an attempt runs: the call a claim writes into the record. */
  private record Attempt(
      String service, Guarantee guarantee, String bodyHash, String input, boolean discard) {}

  /**
   * Starts a transaction, or finds the one with this tid.
   *
   * @return the record, and whether this call made it; empty when the tid belongs to another user
   */
  Optional<Started> start(String tid, String owner, long ttlMillis, int retries) {
    if (dialect == Dialect.POSTGRESQL) {
      // PostgreSQL: one statement in the common case, a read only when the tid exists.
      Optional<Tx> made = database.autoCommitted(c -> insertNew(c, tid, owner, ttlMillis, retries));
      if (made.isPresent()) {
        return Optional.of(new Started(made.get(), true));
      }
    }
    for (int round = 0; ; round++) {
      try {
        return database.inTransaction(
            c -> {
              Optional<Tx> existing = read(c, tid, false);
              if (existing.isPresent()) {
                return existing.filter(t -> t.owner().equals(owner)).map(t -> new Started(t, false));
              }
              try (PreparedStatement s =
                  c.prepareStatement(
                      "INSERT INTO cohort_gd_tx (tid, owner_name, kind, state, created_at,"
                          + " updated_at, expires_at, ttl_ms, retries, retries_left)"
                          + " VALUES (?, ?, 'TX', 'NEW', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP, "
                          + dialect.nowPlusMillis()
                          + ", ?, ?, ?)")) {
                s.setString(1, tid);
                s.setString(2, owner);
                s.setLong(3, ttlMillis);
                s.setLong(4, ttlMillis);
                s.setInt(5, retries);
                s.setInt(6, retries);
                s.executeUpdate();
              }
              return Optional.of(new Started(read(c, tid, false).orElseThrow(), true));
            });
      } catch (RuntimeException e) {
        if (round < 3 && isDuplicateKey(e)) {
          continue; // started concurrently: read what the other request made
        }
        throw e;
      }
    }
  }

  private Optional<Tx> insertNew(Connection c, String tid, String owner, long ttlMillis, int retries)
      throws SQLException {
    try (PreparedStatement s =
        c.prepareStatement(
            "INSERT INTO cohort_gd_tx (tid, owner_name, kind, state, created_at, updated_at,"
                + " expires_at, ttl_ms, retries, retries_left)"
                + " VALUES (?, ?, 'TX', 'NEW', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP, "
                + dialect.nowPlusMillis()
                + ", ?, ?, ?) ON CONFLICT (tid) DO NOTHING RETURNING " + COLUMNS)) {
      s.setString(1, tid);
      s.setString(2, owner);
      s.setLong(3, ttlMillis);
      s.setLong(4, ttlMillis);
      s.setInt(5, retries);
      s.setInt(6, retries);
      try (ResultSet rs = s.executeQuery()) {
        return rs.next() ? Optional.of(row(rs)) : Optional.empty();
      }
    }
  }

  /** A started transaction and whether this call started it. */
  record Started(Tx tx, boolean created) {}

  /** The record of {@code tid}, whoever owns it. */
  Optional<Tx> find(String tid) {
    return database.inTransaction(c -> read(c, tid, false));
  }

  /**
   * Claims {@code request.tid()} for an attempt on {@code node}, or says why not.
   *
   * @throws LockBusyException when another node holds the row lock right now (wait {@code
   *     gd.cluster.lock-timeout-millis}, then try again)
   */
  Claim claim(Request request, String node, long leaseMillis) {
    return inLockingTransaction(
        c -> {
          if (claimsInline()) {
            tryLock(c, request.tid()); // an inline claim may hold it, its record not yet committed
          }
          Optional<Tx> found = read(c, request.tid(), true);
          if (found.isPresent() && found.get().kind() == Tx.Kind.KEY && found.get().expired()
              && found.get().state() != TxState.PENDING) {
            // Past its retention a key may be used again for a new request.
            delete(c, request.tid());
            found = Optional.empty();
          }
          if (found.isEmpty()) {
            if (request.kind() != Tx.Kind.KEY) {
              return new Claim.Unknown();
            }
            insertClaimed(c, request, node, leaseMillis);
            Tx made = read(c, request.tid(), false).orElseThrow();
            return new Claim.Run(made, made.leaseToken());
          }
          Tx tx = found.get();
          if (!tx.owner().equals(request.owner())) {
            return new Claim.Unknown();
          }
          if (tx.service().isPresent() && !tx.service().get().equals(request.service())) {
            return new Claim.Mismatch(tx, "for " + tx.service().get());
          }
          if (tx.bodyHash().isPresent() && !tx.bodyHash().get().equals(request.bodyHash())) {
            return new Claim.Mismatch(tx, "with another request body");
          }
          return decide(
              c,
              tx,
              new Attempt(request.service(), request.guarantee(), request.bodyHash(), request.input(), request.discard()),
              node,
              leaseMillis);
        });
  }

  /**
   * Whether {@link #claimInline} is available: on PostgreSQL, whose transaction-level advisory
   * locks let a claim that is not committed yet keep other attempts out without making them wait.
   */
  boolean claimsInline() {
    return dialect == Dialect.POSTGRESQL;
  }

  /**
   * Claims {@code request.tid()} with the first statement of the service's own transaction
   * {@code c}, under a transaction-level advisory lock on the tid that others try without waiting.
   * When {@code create} and no record exists (a key's first use, a transaction started by this
   * call), nothing is written yet: {@link #commitInline} inserts the record DONE with the
   * result. A NEW record (a started transaction) is moved to PENDING, uncommitted. Either way
   * nothing is committed until the work commits with its outcome: meanwhile the open transaction
   * and its lock are the lease, and others see the tid as busy. A crash rolls the claim back with
   * the work, so the attempt may simply run again: only attempts whose whole effect is in this
   * transaction (exactly-once) may claim this way.
   *
   * @return the claim; empty when the record exists in another state, belongs to another user or
   *     call, or another attempt holds the tid: then roll back and decide with {@link #claim}
   */
  Optional<Claim.Run> claimInline(Connection c, Request r, boolean create, String node, long leaseMillis)
      throws SQLException {
    if (create) {
      try (PreparedStatement s =
          c.prepareStatement(
              "SELECT " + TRY_LOCK.replace("tid", "CAST(? AS TEXT)")
                  + ", EXISTS (SELECT 1 FROM cohort_gd_tx WHERE tid = ?), " + IDLE_LIMIT)) {
        s.setString(1, r.tid());
        s.setString(2, r.tid());
        s.setString(3, String.valueOf(leaseMillis));
        try (ResultSet rs = s.executeQuery()) {
          rs.next();
          if (!rs.getBoolean(1)) {
            return Optional.empty(); // another attempt holds it
          }
          if (!rs.getBoolean(2)) {
            // Its record is written once, complete, when the work commits (commitInline).
            java.time.Instant now = java.time.Instant.now();
            Tx pending =
                new Tx(r.tid(), r.owner(), r.kind(), TxState.PENDING, Optional.of(r.service()),
                    Optional.of(r.guarantee().label()), Optional.ofNullable(r.bodyHash()),
                    Optional.of(r.input()), now, now, now.plusMillis(r.ttlMillis()), r.ttlMillis(),
                    r.retries(), r.retries(), 1, WRITTEN_AT_COMPLETION, Optional.of(node),
                    Optional.empty(), r.discard(), Optional.empty(), Optional.empty(),
                    Optional.empty(), Optional.empty(), false, false);
            return Optional.of(new Claim.Run(pending, WRITTEN_AT_COMPLETION));
          }
          if (r.kind() == Tx.Kind.KEY) {
            return Optional.empty(); // used before: replay or refuse on the ordinary path
          }
        }
      }
    }
    if (r.kind() != Tx.Kind.TX) {
      return Optional.empty();
    }
    try (PreparedStatement s =
        c.prepareStatement(
            "UPDATE cohort_gd_tx SET state = 'PENDING', service = ?, guarantee = ?, body_hash = ?,"
                + " input = ?, discard = ?, attempts = attempts + 1,"
                + " lease_token = lease_token + 1, lease_node = ?, lease_until = "
                + dialect.nowPlusMillis()
                + ", updated_at = CURRENT_TIMESTAMP, status_code = NULL, result = NULL,"
                + " error_code = NULL, error_message = NULL"
                + " WHERE tid = ? AND owner_name = ? AND kind = 'TX' AND state = 'NEW'"
                + " AND expires_at > CURRENT_TIMESTAMP AND (service IS NULL OR service = ?)"
                + " AND (body_hash IS NULL OR body_hash = ?) AND " + TRY_LOCK
                + " RETURNING " + COLUMNS + ", " + IDLE_LIMIT)) {
      s.setString(1, r.service());
      s.setString(2, r.guarantee().label());
      s.setString(3, r.bodyHash());
      s.setString(4, r.input());
      s.setBoolean(5, r.discard());
      s.setString(6, node);
      s.setLong(7, leaseMillis);
      s.setString(8, r.tid());
      s.setString(9, r.owner());
      s.setString(10, r.service());
      s.setString(11, r.bodyHash());
      s.setString(12, String.valueOf(leaseMillis));
      return runOf(s);
    }
  }

  /**
   * The lease of an inline claim, set by its claim statement: PostgreSQL ends the session of a
   * transaction left idle longer than the lease ({@code gd.cluster.lock-break-secs}), which rolls
   * the claim back with the work and frees the tid. A node that froze or lost its network
   * mid-call (its connection still open) so loses the tid as a committed lease would be broken;
   * a live attempt is never idle that long unless its service spends that long between
   * statements.
   */
  private static final String IDLE_LIMIT = "set_config('idle_in_transaction_session_timeout', ?, true)";

  /**
   * The token of an inline claim whose record does not exist yet: {@link #commitInline} inserts
   * it, complete, in the work's transaction (one write instead of an insert and an update).
   */
  static final long WRITTEN_AT_COMPLETION = 0;

  /**
   * Ends an inline claim DONE with {@code result} and commits the work's transaction {@code c}
   * with it. A record written only now goes in one round trip: the INSERT and the COMMIT are sent
   * together, and the COMMIT runs only if the INSERT succeeded.
   *
   * @return false when the record appeared meanwhile (an attempt that committed between this
   *     claim's snapshot and its lock): nothing is committed; roll back, the ordinary claim
   *     replays that attempt's outcome
   * @throws SQLException when the write or the commit failed: whether the work was saved is then
   *     unknown (a broken connection) or it was not (anything else); either way a retry is safe
   */
  boolean commitInline(Connection c, Request r, Claim.Run run, String result) throws SQLException {
    if (run.token() != WRITTEN_AT_COMPLETION) {
      if (!complete(c, r.tid(), run.token(), TxState.DONE, 200, result, null, null)) {
        return false;
      }
      c.commit();
      return true;
    }
    try (PreparedStatement s =
        c.prepareStatement(
            "INSERT INTO cohort_gd_tx (tid, owner_name, kind, state, service, guarantee,"
                + " body_hash, input, created_at, updated_at, expires_at, ttl_ms, retries,"
                + " retries_left, attempts, lease_token, discard, status_code, result)"
                + " VALUES (?, ?, ?, 'DONE', ?, ?, ?, ?, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP, "
                + dialect.nowPlusMillis()
                + ", ?, ?, ?, 1, 1, ?, 200, ?); COMMIT")) {
      bindRecord(s, r);
      s.setBoolean(12, r.discard());
      if (r.discard()) {
        s.setNull(13, Types.VARCHAR);
      } else {
        s.setString(13, result);
      }
      // One Sync for both: after an error PostgreSQL skips the COMMIT, and the transaction is
      // left failed for the caller to roll back.
      s.execute();
      return true;
    } catch (SQLException e) {
      if (UNIQUE_VIOLATION.equals(e.getSQLState())) {
        return false;
      }
      throw e;
    }
  }

  private static final String UNIQUE_VIOLATION = "23505";

  /**
   * A transaction-level advisory lock on a tid (PostgreSQL), taken without waiting: every claim
   * takes it, so that a claim never waits for another attempt's uncommitted one.
   */
  private static final String TRY_LOCK = "pg_try_advisory_xact_lock(1128744020, hashtext(tid))";

  private static Optional<Claim.Run> runOf(PreparedStatement s) throws SQLException {
    try (ResultSet rs = s.executeQuery()) {
      if (!rs.next()) {
        return Optional.empty();
      }
      Tx tx = row(rs);
      return Optional.of(new Claim.Run(tx, tx.leaseToken()));
    }
  }

  /**
   * Claims {@code tid} again from its stored request, for recovery or an operator's resubmit:
   * the same rules as {@link #claim} without an owner or a body to compare.
   */
  Claim reclaim(String tid, Guarantee guarantee, String node, long leaseMillis) {
    return inLockingTransaction(
        c -> {
          Optional<Tx> found = read(c, tid, true);
          if (found.isEmpty() || found.get().service().isEmpty() || found.get().input().isEmpty()) {
            return new Claim.Unknown();
          }
          Tx tx = found.get();
          return decide(
              c,
              tx,
              new Attempt(tx.service().get(), guarantee, tx.bodyHash().orElse(null), tx.input().get(), tx.discard()),
              node,
              leaseMillis);
        });
  }

  private Claim decide(Connection c, Tx tx, Attempt attempt, String node, long leaseMillis)
      throws SQLException {
    switch (tx.state()) {
      case DONE, FAILED, IN_DOUBT -> {
        return new Claim.Ended(tx);
      }
      case PENDING -> {
        if (!tx.leaseBroken()) {
          return new Claim.Running(tx);
        }
        // The attempt's node died or stopped answering: what that means depends on the
        // guarantee the attempt ran under.
        Guarantee ranUnder = tx.guarantee().flatMap(Guarantee::ofLabel).orElse(attempt.guarantee());
        String lost =
            "attempt " + tx.attempts() + " on node " + tx.leaseNode().orElse("?")
                + " stopped renewing its lease (the node died or stopped answering)";
        if (!ranUnder.rerunsAfterCrash()) {
          return new Claim.Ended(
              end(c, tx, TxState.IN_DOUBT, 409, IN_DOUBT,
                  lost + "; " + tx.service().orElse(attempt.service())
                      + " is at-most-once, so it is not run again: whether it took effect is"
                      + " unknown. An operator can resubmit or end it."));
        }
        if (tx.expired()) {
          return new Claim.Ended(
              end(c, tx, TxState.FAILED, 410, EXPIRED, lost + ", and the TTL has passed"));
        }
        if (tx.retriesLeft() <= 0) {
          return new Claim.Ended(
              end(c, tx, TxState.FAILED, 409, RETRIES_EXHAUSTED,
                  lost + ", and the retry limit (" + tx.retries() + ") is reached"));
        }
        return run(c, tx, attempt, node, leaseMillis, tx.retriesLeft() - 1);
      }
      case NEW -> {
        if (tx.expired()) {
          return new Claim.Expired(tx);
        }
        return run(c, tx, attempt, node, leaseMillis, tx.retriesLeft());
      }
    }
    throw new IllegalStateException("unknown state " + tx.state());
  }

  private Claim run(Connection c, Tx tx, Attempt attempt, String node, long leaseMillis, int retriesLeft)
      throws SQLException {
    try (PreparedStatement s =
        c.prepareStatement(
            "UPDATE cohort_gd_tx SET state = 'PENDING', service = ?, guarantee = ?, body_hash = ?,"
                + " input = ?, discard = ?, attempts = attempts + 1, retries_left = ?,"
                + " lease_token = lease_token + 1, lease_node = ?, lease_until = "
                + dialect.nowPlusMillis()
                + ", updated_at = CURRENT_TIMESTAMP, status_code = NULL, result = NULL,"
                + " error_code = NULL, error_message = NULL WHERE tid = ?")) {
      s.setString(1, attempt.service());
      s.setString(2, attempt.guarantee().label());
      s.setString(3, attempt.bodyHash());
      s.setString(4, attempt.input());
      s.setBoolean(5, attempt.discard() || tx.discard());
      s.setInt(6, retriesLeft);
      s.setString(7, node);
      s.setLong(8, leaseMillis);
      s.setString(9, tx.tid());
      s.executeUpdate();
    }
    // What the UPDATE wrote, without reading it back (the lease's end is the database's; it is
    // not needed by the attempt).
    Tx claimed =
        new Tx(tx.tid(), tx.owner(), tx.kind(), TxState.PENDING, Optional.of(attempt.service()),
            Optional.of(attempt.guarantee().label()), Optional.ofNullable(attempt.bodyHash()),
            Optional.of(attempt.input()), tx.createdAt(), tx.updatedAt(), tx.expiresAt(),
            tx.ttlMillis(), tx.retries(), retriesLeft, tx.attempts() + 1, tx.leaseToken() + 1,
            Optional.of(node), Optional.empty(), attempt.discard() || tx.discard(), Optional.empty(),
            Optional.empty(), Optional.empty(), Optional.empty(), false, false);
    return new Claim.Run(claimed, claimed.leaseToken());
  }

  private Tx end(Connection c, Tx tx, TxState state, int status, String code, String message)
      throws SQLException {
    try (PreparedStatement s =
        c.prepareStatement(
            "UPDATE cohort_gd_tx SET state = ?, status_code = ?, error_code = ?,"
                + " error_message = ?, lease_node = NULL, lease_until = NULL,"
                + " updated_at = CURRENT_TIMESTAMP WHERE tid = ?")) {
      s.setString(1, state.name());
      s.setInt(2, status);
      s.setString(3, code);
      s.setString(4, truncate(message));
      s.setString(5, tx.tid());
      s.executeUpdate();
    }
    return read(c, tx.tid(), false).orElseThrow();
  }

  /**
   * Binds the first eleven parameters of an INSERT of a new record: tid, owner, kind, service,
   * guarantee, body hash, input, the TTL (for the expiry and {@code ttl_ms}) and the retry limit
   * (for {@code retries} and {@code retries_left}).
   */
  private static void bindRecord(PreparedStatement s, Request r) throws SQLException {
    s.setString(1, r.tid());
    s.setString(2, r.owner());
    s.setString(3, r.kind().name());
    s.setString(4, r.service());
    s.setString(5, r.guarantee().label());
    s.setString(6, r.bodyHash());
    s.setString(7, r.input());
    s.setLong(8, r.ttlMillis());
    s.setLong(9, r.ttlMillis());
    s.setInt(10, r.retries());
    s.setInt(11, r.retries());
  }

  private void insertClaimed(Connection c, Request r, String node, long leaseMillis)
      throws SQLException {
    try (PreparedStatement s =
        c.prepareStatement(
            "INSERT INTO cohort_gd_tx (tid, owner_name, kind, state, service, guarantee,"
                + " body_hash, input, created_at, updated_at, expires_at, ttl_ms, retries,"
                + " retries_left, attempts, lease_token, lease_node, lease_until, discard)"
                + " VALUES (?, ?, ?, 'PENDING', ?, ?, ?, ?, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP, "
                + dialect.nowPlusMillis()
                + ", ?, ?, ?, 1, 1, ?, "
                + dialect.nowPlusMillis()
                + ", ?)")) {
      bindRecord(s, r);
      s.setString(12, node);
      s.setLong(13, leaseMillis);
      s.setBoolean(14, r.discard());
      s.executeUpdate();
    }
  }

  /**
   * Ends the attempt holding {@code token}, in {@code c}'s transaction (the service's own, for a
   * DONE whose work must commit with it).
   *
   * @return false when the attempt no longer holds the lease (fenced): then nothing is written
   *     and the caller must roll back
   */
  boolean complete(
      Connection c,
      String tid,
      long token,
      TxState state,
      int status,
      String result,
      String errorCode,
      String errorMessage)
      throws SQLException {
    try (PreparedStatement s =
        c.prepareStatement(
            "UPDATE cohort_gd_tx SET state = ?, status_code = ?,"
                + " result = CASE WHEN discard THEN NULL ELSE ? END, error_code = ?,"
                + " error_message = ?, lease_node = NULL, lease_until = NULL,"
                + " updated_at = CURRENT_TIMESTAMP"
                + " WHERE tid = ? AND lease_token = ? AND state = 'PENDING'")) {
      s.setString(1, state.name());
      s.setInt(2, status);
      if (result == null) {
        s.setNull(3, Types.VARCHAR);
      } else {
        s.setString(3, result);
      }
      s.setString(4, errorCode);
      s.setString(5, truncate(errorMessage));
      s.setString(6, tid);
      s.setLong(7, token);
      return s.executeUpdate() == 1;
    }
  }

  /**
   * Gives up the lease of the attempt holding {@code token} without an outcome (it did not run,
   * e.g. the node is shutting down): the transaction is NEW again and the attempt does not count
   * against the retry limit.
   */
  boolean release(String tid, long token) {
    return database.inTransaction(
        c -> {
          try (PreparedStatement s =
              c.prepareStatement(
                  "UPDATE cohort_gd_tx SET state = 'NEW', lease_node = NULL, lease_until = NULL,"
                      + " attempts = attempts - 1, updated_at = CURRENT_TIMESTAMP"
                      + " WHERE tid = ? AND lease_token = ? AND state = 'PENDING'")) {
            s.setString(1, tid);
            s.setLong(2, token);
            return s.executeUpdate() == 1;
          }
        });
  }

  /** Extends the leases this node holds; returns how many were still its own. */
  int renew(List<Lease> leases, long leaseMillis) {
    if (leases.isEmpty()) {
      return 0;
    }
    return database.inTransaction(
        c -> {
          int renewed = 0;
          try (PreparedStatement s =
              c.prepareStatement(
                  "UPDATE cohort_gd_tx SET lease_until = "
                      + dialect.nowPlusMillis()
                      + " WHERE tid = ? AND lease_token = ? AND state = 'PENDING'")) {
            for (Lease lease : leases) {
              s.setLong(1, leaseMillis);
              s.setString(2, lease.tid());
              s.setLong(3, lease.token());
              renewed += s.executeUpdate();
            }
          }
          return renewed;
        });
  }

  /**
   * Ends at once the leases held under {@code node}'s name: called when the node starts, before
   * it runs anything, they can only be its previous run's, which crashed.
   *
   * @return how many
   */
  int breakLeasesOf(String node) {
    return database.inTransaction(
        c -> {
          try (PreparedStatement s =
              c.prepareStatement(
                  "UPDATE cohort_gd_tx SET lease_until = CURRENT_TIMESTAMP"
                      + " WHERE lease_node = ? AND state = 'PENDING'")) {
            s.setString(1, node);
            return s.executeUpdate();
          }
        });
  }

  /** A lease an attempt on this node holds. */
  record Lease(String tid, long token) {}

  /** Transactions whose lease has run out: their attempts crashed. */
  List<Tx> brokenLeases(int limit) {
    return query(
        "SELECT " + COLUMNS + " FROM cohort_gd_tx WHERE state = 'PENDING'"
            + " AND lease_until < CURRENT_TIMESTAMP ORDER BY lease_until FETCH FIRST " + limit
            + " ROWS ONLY");
  }

  /**
   * Removes transactions whose TTL or retention passed more than the grace ago, except PENDING
   * ones (their attempt ends first) and IN_DOUBT ones (they wait for an operator).
   *
   * @return how many were removed
   */
  int sweep() {
    return database.inTransaction(
        c -> {
          try (PreparedStatement s =
              c.prepareStatement(
                  "DELETE FROM cohort_gd_tx WHERE expires_at < "
                      + dialect.nowPlusMillis()
                      + " AND state IN ('NEW', 'DONE', 'FAILED')")) {
            s.setLong(1, -sweepGraceMillis);
            return s.executeUpdate();
          }
        });
  }

  /**
   * Makes a FAILED (or, for an operator, IN_DOUBT) transaction NEW again with its retry limit and
   * TTL renewed; the stored request stays.
   *
   * @return the record after, or as it was when its state does not allow it
   */
  Optional<Tx> restart(String tid, boolean allowInDoubt) {
    return database.inTransaction(
        c -> {
          try (PreparedStatement s =
              c.prepareStatement(
                  "UPDATE cohort_gd_tx SET state = 'NEW', retries_left = retries,"
                      + " expires_at = "
                      + dialect.nowPlusMillis().replace("?", "ttl_ms")
                      + ", status_code = NULL, result = NULL, error_code = NULL,"
                      + " error_message = NULL, updated_at = CURRENT_TIMESTAMP"
                      + " WHERE tid = ? AND (state = 'FAILED'"
                      + (allowInDoubt ? " OR state = 'IN_DOUBT'" : "")
                      + ")")) {
            s.setString(1, tid);
            s.executeUpdate();
          }
          return read(c, tid, false);
        });
  }

  /**
   * Removes {@code tid} unless an attempt holds a live lease on it.
   *
   * @return the record as it stays when it could not be removed; empty when it is gone
   */
  Optional<Tx> end(String tid) {
    return end(tid, Optional.empty());
  }

  /**
   * Removes {@code tid} if {@code owner} (when given) owns it and no attempt holds a live lease
   * on it: one auto-committed statement when it can go (the common case), a read only when it
   * cannot.
   *
   * @return the record as it stays when it could not be removed (possibly another owner's);
   *     empty when it is gone
   */
  Optional<Tx> end(String tid, Optional<String> owner) {
    return database.autoCommitted(
        c -> {
          try (PreparedStatement s =
              c.prepareStatement(
                  "DELETE FROM cohort_gd_tx WHERE tid = ? AND (state <> 'PENDING'"
                      + " OR lease_until < CURRENT_TIMESTAMP)"
                      + (owner.isPresent() ? " AND owner_name = ?" : ""))) {
            s.setString(1, tid);
            if (owner.isPresent()) {
              s.setString(2, owner.get());
            }
            if (s.executeUpdate() == 1) {
              return Optional.empty();
            }
          }
          return read(c, tid, false);
        });
  }

  /**
   * Removes those of {@code tids} that {@code owner} owns and no attempt holds a live lease on, in
   * one auto-committed statement.
   *
   * @return the tids that stay because an attempt is running them
   */
  List<String> endAll(String owner, List<String> tids) {
    if (tids.isEmpty()) {
      return List.of();
    }
    String marks = String.join(", ", java.util.Collections.nCopies(tids.size(), "?"));
    return database.autoCommitted(
        c -> {
          try (PreparedStatement s =
              c.prepareStatement(
                  "DELETE FROM cohort_gd_tx WHERE owner_name = ? AND tid IN (" + marks + ")"
                      + " AND (state <> 'PENDING' OR lease_until < CURRENT_TIMESTAMP)")) {
            s.setString(1, owner);
            for (int i = 0; i < tids.size(); i++) {
              s.setString(i + 2, tids.get(i));
            }
            if (s.executeUpdate() == tids.size()) {
              return List.of();
            }
          }
          List<String> running = new ArrayList<>();
          try (PreparedStatement s =
              c.prepareStatement(
                  "SELECT tid FROM cohort_gd_tx WHERE owner_name = ? AND tid IN (" + marks + ") ORDER BY tid")) {
            s.setString(1, owner);
            for (int i = 0; i < tids.size(); i++) {
              s.setString(i + 2, tids.get(i));
            }
            try (ResultSet rs = s.executeQuery()) {
              while (rs.next()) {
                running.add(rs.getString(1));
              }
            }
          }
          return running;
        });
  }

  /**
   * Transactions matching a filter, newest first.
   *
   * @param state only this state, if given
   * @param service only this service, if given
   * @param owner only this user's, if given
   * @param limit at most this many
   */
  List<Tx> list(Optional<TxState> state, Optional<String> service, Optional<String> owner, int limit) {
    StringBuilder sql = new StringBuilder("SELECT " + COLUMNS + " FROM cohort_gd_tx WHERE 1 = 1");
    List<String> args = new ArrayList<>();
    state.ifPresent(s -> { sql.append(" AND state = ?"); args.add(s.name()); });
    service.ifPresent(s -> { sql.append(" AND service = ?"); args.add(s); });
    owner.ifPresent(o -> { sql.append(" AND owner_name = ?"); args.add(o); });
    sql.append(" ORDER BY created_at DESC, tid FETCH FIRST ").append(limit).append(" ROWS ONLY");
    return query(sql.toString(), args.toArray(String[]::new));
  }

  /** How many transactions are in each state. */
  java.util.Map<TxState, Long> counts() {
    return database.inTransaction(
        c -> {
          java.util.Map<TxState, Long> counts = new java.util.EnumMap<>(TxState.class);
          for (TxState s : TxState.values()) {
            counts.put(s, 0L);
          }
          try (PreparedStatement s =
                  c.prepareStatement("SELECT state, COUNT(*) FROM cohort_gd_tx GROUP BY state");
              ResultSet rs = s.executeQuery()) {
            while (rs.next()) {
              counts.put(TxState.valueOf(rs.getString(1)), rs.getLong(2));
            }
          }
          return counts;
        });
  }

  private List<Tx> query(String sql, String... args) {
    return database.inTransaction(
        c -> {
          List<Tx> result = new ArrayList<>();
          try (PreparedStatement s = c.prepareStatement(sql)) {
            for (int i = 0; i < args.length; i++) {
              s.setString(i + 1, args[i]);
            }
            try (ResultSet rs = s.executeQuery()) {
              while (rs.next()) {
                result.add(row(rs));
              }
            }
          }
          return result;
        });
  }

  private static void tryLock(Connection c, String tid) throws SQLException {
    try (PreparedStatement s =
        c.prepareStatement("SELECT " + TRY_LOCK.replace("tid", "CAST(? AS TEXT)"))) {
      s.setString(1, tid);
      try (ResultSet rs = s.executeQuery()) {
        if (!rs.next() || !rs.getBoolean(1)) {
          throw new LockBusyException();
        }
      }
    }
  }

  private void delete(Connection c, String tid) throws SQLException {
    try (PreparedStatement s = c.prepareStatement("DELETE FROM cohort_gd_tx WHERE tid = ?")) {
      s.setString(1, tid);
      s.executeUpdate();
    }
  }

  private Optional<Tx> read(Connection c, String tid, boolean lock) throws SQLException {
    try (PreparedStatement s =
        c.prepareStatement(
            "SELECT " + COLUMNS + " FROM cohort_gd_tx WHERE tid = ?"
                + (lock ? " FOR UPDATE NOWAIT" : ""))) {
      s.setString(1, tid);
      try (ResultSet rs = s.executeQuery()) {
        return rs.next() ? Optional.of(row(rs)) : Optional.empty();
      }
    }
  }

  private <T> T inLockingTransaction(Database.SqlWork<T> work) {
    for (int round = 0; ; round++) {
      try {
        return database.inTransaction(work);
      } catch (RuntimeException e) {
        SQLException sql = sqlCause(e);
        if (sql != null && dialect.isLockNotAvailable(sql)) {
          throw new LockBusyException();
        }
        if (round < 3 && isDuplicateKey(e)) {
          continue; // made concurrently by another node: decide again on what it made
        }
        throw e;
      }
    }
  }

  private static SQLException sqlCause(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof SQLException sql) {
        return sql;
      }
    }
    return null;
  }

  private static boolean isDuplicateKey(Throwable e) {
    SQLException sql = sqlCause(e);
    return sql != null && "23505".equals(sql.getSQLState());
  }

  /** Another node holds the row lock right now. */
  static final class LockBusyException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    LockBusyException() {
      super("the transaction's record is locked by another node", null, false, false);
    }
  }

  private static String truncate(String message) {
    return message == null || message.length() <= 2000 ? message : message.substring(0, 1997) + "...";
  }

  private static Tx row(ResultSet rs) throws SQLException {
    return new Tx(
        rs.getString("tid"),
        rs.getString("owner_name"),
        Tx.Kind.valueOf(rs.getString("kind")),
        TxState.valueOf(rs.getString("state")),
        Optional.ofNullable(rs.getString("service")),
        Optional.ofNullable(rs.getString("guarantee")),
        Optional.ofNullable(rs.getString("body_hash")),
        Optional.ofNullable(rs.getString("input")),
        rs.getObject("created_at", OffsetDateTime.class).toInstant(),
        rs.getObject("updated_at", OffsetDateTime.class).toInstant(),
        rs.getObject("expires_at", OffsetDateTime.class).toInstant(),
        rs.getLong("ttl_ms"),
        rs.getInt("retries"),
        rs.getInt("retries_left"),
        rs.getInt("attempts"),
        rs.getLong("lease_token"),
        Optional.ofNullable(rs.getString("lease_node")),
        Optional.ofNullable(rs.getObject("lease_until", OffsetDateTime.class))
            .map(OffsetDateTime::toInstant),
        rs.getBoolean("discard"),
        Optional.ofNullable((Integer) rs.getObject("status_code", Integer.class)),
        Optional.ofNullable(rs.getString("result")),
        Optional.ofNullable(rs.getString("error_code")),
        Optional.ofNullable(rs.getString("error_message")),
        rs.getBoolean("expired"),
        rs.getBoolean("lease_broken"));
  }
}
