package dev.cohort.server.gd;

import dev.cohort.api.Caller;
import dev.cohort.api.Document;
import dev.cohort.server.config.GdConfig;
import dev.cohort.server.db.Database;
import dev.cohort.server.gd.JobStore.Claim;
import dev.cohort.server.http.Json;
import dev.cohort.server.invoke.Call;
import dev.cohort.server.invoke.CohortError;
import dev.cohort.server.invoke.ErrorCode;
import dev.cohort.server.invoke.Invoker;
import dev.cohort.server.invoke.Outcome;
import dev.cohort.server.pkg.Guarantee;
import dev.cohort.server.pkg.RegisteredService;
import dev.cohort.server.pkg.ServiceName;
import dev.cohort.server.pkg.ServiceRegistry;
import dev.cohort.server.security.Decision;
import dev.cohort.server.security.Realm;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * Guaranteed delivery: runs a service at most once per transaction id across the cluster, stores
 * its outcome for retries, and recovers attempts whose node died according to the service's
 * declared {@link Guarantee}. The state lives in the shared database ({@link JobStore}); this
 * node holds leases only while it runs an attempt, and renews them every third of {@code
 * gd.cluster.lock-break-secs}.
 */
public final class GuaranteedDelivery implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(GuaranteedDelivery.class);
  private static final Pattern TID = Pattern.compile("[A-Za-z0-9._:-]{1,128}");
  private static final Duration MAX_WAIT = Duration.ofSeconds(60);
  private static final SecureRandom RANDOM = new SecureRandom();
  /** How many times a claim tries a locked record before it answers that the record is running. */
  private static final int BUSY_TRIES = 8;

  private final JobStore store;
  private final GdConfig config;
  private final Invoker invoker;
  private final ServiceRegistry registry;
  private final Realm realm;
  private final String nodeName;
  private final Set<JobStore.Lease> leases = ConcurrentHashMap.newKeySet();
  private final ExecutorService background =
      Executors.newThreadPerTaskExecutor(Thread.ofVirtual().name("cohort-gd-", 0).factory());
  private volatile boolean closed;
  private final Duration drain;
  private final io.micrometer.core.instrument.MeterRegistry meters;
  private final java.util.concurrent.atomic.AtomicReference<Map<TxState, Long>> counts =
      new java.util.concurrent.atomic.AtomicReference<>(Map.of());

  /**
   * @param database the shared database holding the job store
   * @param config the {@code gd.*} settings
   * @param invoker runs services
   * @param registry finds services for recovery and resubmission
   * @param realm the users recovered attempts run as
   * @param nodeName this node's name, written in the leases it holds
   * @param meters where its metrics go: {@code cohort.gd.attempts} by outcome on this node, and
   *     {@code cohort.gd.transactions} by state in the whole job store (as of the last sweep)
   * @param drain how long closing waits for background attempts ({@code node.shutdown-timeout})
   */
  public GuaranteedDelivery(
      Database database,
      GdConfig config,
      Invoker invoker,
      ServiceRegistry registry,
      Realm realm,
      String nodeName,
      io.micrometer.core.instrument.MeterRegistry meters,
      Duration drain) {
    this.meters = meters;
    this.drain = drain;
    for (TxState state : TxState.values()) {
      io.micrometer.core.instrument.Gauge.builder(
              "cohort.gd.transactions", counts, c -> c.get().getOrDefault(state, 0L))
          .description("Guaranteed-delivery transactions in the shared job store, by state, as of this node's last sweep")
          .tag("state", state.name())
          .register(meters);
    }
    this.store = new JobStore(database);
    this.config = config;
    this.invoker = invoker;
    this.registry = registry;
    this.realm = realm;
    this.nodeName = nodeName;
  }

  /** Renews this node's leases, sweeps and recovers on {@code scheduler} from now on. */
  public void start(ScheduledExecutorService scheduler) {
    // Leases under this node's name are its previous run's: that run crashed (a clean stop ends
    // or gives up its attempts), so they need not wait for gd.cluster.lock-break-secs.
    int broken = store.breakLeasesOf(nodeName);
    if (broken > 0) {
      LOG.warn(
          "COH.0900.0011W {} transaction(s) were running here when this node last stopped"
              + " without finishing them; their leases are broken now and their guarantees decide",
          broken);
      scheduler.execute(this::sweepAndRecover);
    }
    long renewEvery = Math.max(100, leaseMillis() / 3);
    scheduler.scheduleWithFixedDelay(this::renewLeases, renewEvery, renewEvery, TimeUnit.MILLISECONDS);
    long sweepEvery = config.sweepInterval().toMillis();
    scheduler.scheduleWithFixedDelay(this::sweepAndRecover, sweepEvery, sweepEvery, TimeUnit.MILLISECONDS);
  }

  /** A started transaction, and whether this call started it (false: it existed). */
  public record Started(Tx tx, boolean created) {}

  /**
   * What a guaranteed call returned: the outcome or the stored error, and whether it was stored
   * before (a replay).
   *
   * @param outcome the service's output; null when {@code error} is set
   * @param replayed whether this is a stored outcome sent again
   * @param tx the transaction
   * @param error a FAILED or IN_DOUBT transaction's stored error, replayed
   */
  public record Result(Outcome outcome, boolean replayed, Tx tx, CohortError error) {

    Result(Outcome outcome, boolean replayed, Tx tx) {
      this(outcome, replayed, tx, null);
    }
  }

  // ---------------------------------------------------------------- transactional clients

  /**
   * Starts a transaction for {@code caller}.
   *
   * @param tid the id the client chose; a random one when empty
   * @throws CohortError {@code COH-INVALID-INPUT} for a malformed tid or limits, {@code
   *     COH-GD-STATE} when another user's transaction has this id
   */
  public Started start(
      Caller caller, Optional<String> tid, Optional<Duration> ttl, Optional<Integer> retries) {
    requireUser(caller);
    String id = tid.orElseGet(GuaranteedDelivery::randomTid);
    checkTid(id);
    long ttlMillis = ttlMillis(ttl);
    int limit = retryLimit(retries);
    return store
        .start(id, caller.user(), ttlMillis, limit)
        .map(s -> new Started(s.tx(), s.created()))
        .orElseThrow(
            () ->
                new CohortError(
                    ErrorCode.GD_STATE,
                    "transaction id " + id + " is taken by another user; choose another"));
  }

  /**
   * What a call that starts its transaction itself asks for (the {@code start} of {@code
   * /gd/tx/{tid}/invoke}): the TTL and retry limit, the defaults when empty.
   */
  public record Start(Optional<Duration> ttl, Optional<Integer> retries) {}

  /**
   * Runs {@code call} under transaction {@code tid} and waits for its outcome; with {@code start},
   * the transaction is started by this call when it does not exist (one request instead of two).
   * An exactly-once service on PostgreSQL is claimed inside its own database transaction: one
   * commit for the claim, the work and the outcome.
   */
  public Result invoke(Call call, String tid, Optional<Start> start) {
    checkTid(tid);
    requireUser(call.caller());
    long ttl = start.map(s -> ttlMillis(s.ttl())).orElse(config.defaultTtl().toMillis());
    int retries = start.map(s -> retryLimit(s.retries())).orElse(config.defaultRetries());
    JobStore.Request request = request(call, tid, Tx.Kind.TX, false, ttl, retries);
    Optional<Result> inline = runInline(call, request, start.isPresent());
    if (inline.isPresent()) {
      return inline.get();
    }
    Claim claim = claimOrStart(request, start);
    return switch (claim) {
      case Claim.Run run -> runClaimed(call, run);
      default -> settled(claim, call, tid);
    };
  }

  /** A claim that first starts the transaction when {@code start} says so and it does not exist. */
  private Claim claimOrStart(JobStore.Request request, Optional<Start> start) {
    Claim claim = claim(request);
    if (claim instanceof Claim.Unknown && start.isPresent() && request.kind() == Tx.Kind.TX) {
      if (store.start(request.tid(), request.owner(), request.ttlMillis(), request.retries()).isEmpty()) {
        throw new CohortError(
            ErrorCode.GD_STATE,
            "transaction id " + request.tid() + " is taken by another user; choose another");
      }
      claim = claim(request);
    }
    return claim;
  }

  /**
   * Runs an exactly-once call with its claim as the first statement of its own database
   * transaction ({@link JobStore#claimInline}), when the database allows it.
   *
   * @return empty when the call must take the ordinary path: the database cannot, the service is
   *     not exactly-once, or the record is not in a state this path handles (nothing ran then)
   */
  private Optional<Result> runInline(Call call, JobStore.Request request, boolean create) {
    if (!store.claimsInline() || request.discard() || call.service().guarantee() != Guarantee.EXACTLY_ONCE) {
      return Optional.empty();
    }
    InlineClaim inline = new InlineClaim(request, create);
    Outcome outcome;
    try {
      outcome = invoker.invoke(call, inline);
    } catch (NotClaimed e) {
      return Optional.empty();
    } catch (CohortError e) {
      if (inline.run == null || e.code() == ErrorCode.COMMIT_FAILED || e.code().status() == 503) {
        // Nothing ran, or the service did not run (503), or the commit's fate is unknown: the
        // claim was never committed or committed with DONE, so a retry is safe either way.
        attempt(inline.run != null && e.code() == ErrorCode.COMMIT_FAILED ? "unknown" : "released");
        throw e;
      }
      // The service failed: its work and the claim rolled back; record the failure for replays.
      attempt("failed");
      Claim claim = claimOrStart(request, create ? Optional.of(new Start(Optional.empty(), Optional.empty())) : Optional.empty());
      if (claim instanceof Claim.Run run) {
        recordFailure(run.tx().tid(), run.token(), e);
        return Optional.of(new Result(null, false, run.tx(), e));
      }
      return Optional.of(settled(claim, call, request.tid()));
    }
    attempt("done");
    return Optional.of(new Result(outcome, false, inline.run.tx()));
  }

  /** The claim of {@link #runInline}, made and completed in the call's own transaction. */
  private final class InlineClaim implements dev.cohort.server.invoke.Completion {
    private final JobStore.Request request;
    private final boolean create;
    private Claim.Run run;

    InlineClaim(JobStore.Request request, boolean create) {
      this.request = request;
      this.create = create;
    }

    @Override
    public boolean runsFirst() {
      return true;
    }

    @Override
    public void beforeRun(java.sql.Connection connection) {
      try {
        run = store.claimInline(connection, request, create, nodeName, leaseMillis()).orElseThrow(NotClaimed::new);
      } catch (java.sql.SQLException e) {
        LOG.debug("inline claim of transaction {} failed, taking the ordinary path: {}", request.tid(), e.getMessage());
        throw new NotClaimed();
      }
    }

    @Override
    public void commit(java.sql.Connection connection, Document output) throws java.sql.SQLException {
      String result = new String(Json.write(output), StandardCharsets.UTF_8);
      if (!store.commitInline(connection, request, run, result)) {
        throw new NotClaimed(); // another attempt completed first: its outcome is replayed
      }
    }
  }

  /** An inline claim was not made: nothing ran, take the ordinary path. */
  private static final class NotClaimed extends RuntimeException {
    private static final long serialVersionUID = 1L;

    NotClaimed() {
      super("not claimed inline", null, false, false);
    }
  }

  private long ttlMillis(Optional<Duration> ttl) {
    long ttlMillis = ttl.orElse(config.defaultTtl()).toMillis();
    if (ttlMillis < 1000 || ttlMillis > Duration.ofDays(30).toMillis()) {
      throw new CohortError(ErrorCode.INVALID_INPUT, "ttlSeconds must be between 1 and 2592000 (30 days)");
    }
    return ttlMillis;
  }

  private int retryLimit(Optional<Integer> retries) {
    int limit = retries.orElse(config.defaultRetries());
    if (limit < 0 || limit > 1000) {
      throw new CohortError(ErrorCode.INVALID_INPUT, "retries must be between 0 and 1000");
    }
    return limit;
  }

  /**
   * Runs {@code call} with an {@code Idempotency-Key}: the first call of the key runs the
   * service, later ones replay its stored response.
   */
  public Result invokeWithKey(Call call, String key) {
    if (key.isEmpty() || key.length() > 255 || !key.chars().allMatch(ch -> ch >= 0x20 && ch < 0x7f)) {
      throw new CohortError(
          ErrorCode.INVALID_INPUT, "an Idempotency-Key is 1 to 255 printable ASCII characters");
    }
    requireUser(call.caller());
    String tid = "key-" + sha256(call.caller().user() + '\n' + key).substring(0, 32);
    JobStore.Request request = request(call, tid, Tx.Kind.KEY, false);
    Optional<Result> inline = runInline(call, request, true);
    if (inline.isPresent()) {
      return inline.get();
    }
    Claim claim = claim(request);
    return switch (claim) {
      case Claim.Run run -> runClaimed(call, run);
      default -> settled(claim, call, tid);
    };
  }

  /**
   * Claims {@code tid} for {@code call} and runs it in the background on this node; with {@code
   * start}, the transaction is started by this call when it does not exist.
   *
   * @param discard a fire-and-forget send: the result is not kept
   * @return the transaction as it is now
   */
  public Tx submit(Call call, String tid, boolean discard, Optional<Start> start) {
    checkTid(tid);
    requireUser(call.caller());
    long ttl = start.map(s -> ttlMillis(s.ttl())).orElse(config.defaultTtl().toMillis());
    int retries = start.map(s -> retryLimit(s.retries())).orElse(config.defaultRetries());
    Claim claim = claimOrStart(request(call, tid, Tx.Kind.TX, discard, ttl, retries), start);
    return switch (claim) {
      case Claim.Run run -> {
        runInBackground(call, run);
        yield run.tx();
      }
      case Claim.Ended ended -> ended.tx();
      case Claim.Running running -> running.tx();
      default -> {
        settled(claim, call, tid);
        throw new IllegalStateException("unreachable");
      }
    };
  }

  /**
   * The transaction {@code tid} of {@code caller}; with a wait, once it has ended or the wait is
   * over, whichever comes first.
   */
  public Tx status(Caller caller, String tid, Duration wait) {
    long deadline = System.nanoTime() + Math.min(wait.toNanos(), MAX_WAIT.toNanos());
    while (true) {
      Tx tx = own(caller, tid);
      if (tx.state().ended() || System.nanoTime() - deadline >= 0) {
        return tx;
      }
      pause(Math.min(config.lockTimeout().toMillis(), Math.max(1, (deadline - System.nanoTime()) / 1_000_000)));
    }
  }

  /** Makes {@code caller}'s FAILED transaction NEW again, with its retries and TTL renewed. */
  public Tx restart(Caller caller, String tid) {
    Tx tx = own(caller, tid);
    if (tx.state() != TxState.FAILED) {
      throw new CohortError(
          ErrorCode.GD_STATE,
          "transaction " + tid + " is " + tx.state() + "; only a FAILED transaction can be restarted"
              + (tx.state() == TxState.IN_DOUBT ? " (an operator resolves IN_DOUBT ones)" : ""));
    }
    return store.restart(tid, false).orElseThrow(() -> unknown(tid));
  }

  /** Ends (removes) {@code caller}'s transaction; nothing happens if it is gone already. */
  public void end(Caller caller, String tid) {
    checkTid(tid);
    store.end(tid, Optional.of(caller.user()))
        .filter(left -> left.owner().equals(caller.user()))
        .ifPresent(
            left -> {
          throw new CohortError(
              ErrorCode.GD_RUNNING,
              "transaction " + tid + " is running on node " + left.leaseNode().orElse("?")
                  + "; end it once it is done");
        });
  }

  /**
   * Ends {@code caller}'s transactions {@code tids} at once (those that are gone already count as
   * ended).
   *
   * @return the tids that stay because an attempt is running them
   */
  public List<String> endAll(Caller caller, List<String> tids) {
    if (tids.isEmpty() || tids.size() > 1000) {
      throw new CohortError(ErrorCode.INVALID_INPUT, "end 1 to 1000 transactions at once");
    }
    tids.forEach(GuaranteedDelivery::checkTid);
    return store.endAll(caller.user(), List.copyOf(new java.util.LinkedHashSet<>(tids)));
  }

  // ---------------------------------------------------------------- operators

  /** Transactions matching a filter, newest first (at most {@code limit}). */
  public List<Tx> list(Optional<TxState> state, Optional<String> service, Optional<String> owner, int limit) {
    return store.list(state, service, owner, Math.max(1, Math.min(limit, 1000)));
  }

  /** Any user's transaction {@code tid}. */
  public Optional<Tx> find(String tid) {
    return store.find(tid);
  }

  /** How many transactions are in each state. */
  public Map<TxState, Long> counts() {
    return store.counts();
  }

  /**
   * An operator's resubmit of an IN_DOUBT or FAILED transaction: NEW again with its retries and
   * TTL renewed, and run now on this node from its stored request (if it has one).
   */
  public Tx resubmit(String tid) {
    Tx tx = store.find(tid).orElseThrow(() -> unknown(tid));
    if (tx.state() != TxState.IN_DOUBT && tx.state() != TxState.FAILED) {
      throw new CohortError(
          ErrorCode.GD_STATE,
          "transaction " + tid + " is " + tx.state() + "; only IN_DOUBT and FAILED ones can be resubmitted");
    }
    Tx restarted = store.restart(tid, true).orElseThrow(() -> unknown(tid));
    LOG.warn(
        "COH.0900.0004W transaction {} ({}, {}) resubmitted by an operator; it was {}",
        tid, restarted.owner(), restarted.service().orElse("no service yet"), tx.state());
    if (restarted.service().isPresent() && restarted.input().isPresent()) {
      recover(restarted);
    }
    return store.find(tid).orElse(restarted);
  }

  /** An operator's end of any transaction that is not running. */
  public void forceEnd(String tid) {
    Tx tx = store.find(tid).orElseThrow(() -> unknown(tid));
    store.end(tid).ifPresent(
        left -> {
          throw new CohortError(
              ErrorCode.GD_RUNNING,
              "transaction " + tid + " is running on node " + left.leaseNode().orElse("?")
                  + " under a live lease; end it once it is done");
        });
    LOG.warn("COH.0900.0005W transaction {} ({}) ended by an operator; it was {}", tid, tx.owner(), tx.state());
  }

  // ---------------------------------------------------------------- running attempts

  private JobStore.Request request(Call call, String tid, Tx.Kind kind, boolean discard) {
    long ttl = kind == Tx.Kind.KEY ? config.idempotencyRetention().toMillis() : config.defaultTtl().toMillis();
    return request(call, tid, kind, discard, ttl, config.defaultRetries());
  }

  private JobStore.Request request(Call call, String tid, Tx.Kind kind, boolean discard, long ttl, int retries) {
    requireUser(call.caller());
    String input = new String(Json.write(call.input()), StandardCharsets.UTF_8);
    return new JobStore.Request(
        tid,
        call.caller().user(),
        kind,
        call.service().name().toString(),
        call.service().guarantee(),
        sha256(input),
        input,
        discard,
        ttl,
        retries);
  }

  /**
   * Claims, waiting {@code gd.cluster.lock-timeout-millis} between tries while the row is locked,
   * for at most {@link #BUSY_TRIES} tries (an attempt claimed inline keeps it locked while it runs).
   */
  private Claim claim(JobStore.Request request) {
    long deadline = System.nanoTime() + BUSY_TRIES * config.lockTimeout().toNanos();
    while (true) {
      try {
        return store.claim(request, nodeName, leaseMillis());
      } catch (JobStore.LockBusyException e) {
        if (System.nanoTime() - deadline > 0) {
          throw new CohortError(
              ErrorCode.GD_RUNNING,
              "transaction " + request.tid() + " is running (another request or node holds it);"
                  + " ask its status later");
        }
        pause(config.lockTimeout().toMillis());
      }
    }
  }

  private Result runClaimed(Call call, Claim.Run run) {
    Tx tx = run.tx();
    long token = run.token();
    JobStore.Lease lease = new JobStore.Lease(tx.tid(), token);
    leases.add(lease);
    try {
      Outcome outcome =
          invoker.invoke(
              call,
              (connection, output) -> {
                String result = new String(Json.write(output), StandardCharsets.UTF_8);
                if (!store.complete(connection, tx.tid(), token, TxState.DONE, 200, result, null, null)) {
                  throw new Fenced();
                }
              });
      attempt("done");
      return new Result(outcome, false, tx);
    } catch (Fenced e) {
      attempt("fenced");
      LOG.warn(
          "COH.0900.0002W attempt {} of transaction {} lost its lease while it ran (this node"
              + " paused or lost the database for over {} s); its database work is rolled back",
          tx.attempts(), tx.tid(), leaseMillis() / 1000);
      Tx now = store.find(tx.tid()).orElseThrow(() -> unknown(tx.tid()));
      return settled(now.state() == TxState.PENDING ? new Claim.Running(now) : new Claim.Ended(now), call, tx.tid());
    } catch (CohortError e) {
      if (e.code() == ErrorCode.COMMIT_FAILED) {
        // Whether the DONE record committed is unknown: the lease breaks and the guarantee decides.
        attempt("unknown");
        throw e;
      }
      if (e.code().status() == 503) {
        // The service did not run (no session copy, node not ready): it may run elsewhere.
        attempt("released");
        store.release(tx.tid(), token);
        throw e;
      }
      attempt("failed");
      recordFailure(tx.tid(), token, e);
      return new Result(null, false, tx, e);
    } finally {
      leases.remove(lease);
    }
  }

  private void attempt(String outcome) {
    meters.counter("cohort.gd.attempts", "outcome", outcome).increment();
  }

  private void recordFailure(String tid, long token, CohortError e) {
    try {
      store.database().inTransaction(
          c -> store.complete(c, tid, token, TxState.FAILED, e.code().status(), null, e.code().code(), e.getMessage()));
    } catch (RuntimeException failed) {
      LOG.warn("COH.0900.0006W the failure of transaction {} could not be recorded: {}", tid, failed.getMessage());
    }
  }

  private void runInBackground(Call call, Claim.Run run) {
    background.execute(
        () -> {
          MDC.put("node", nodeName);
          MDC.put("req", call.requestId());
          try {
            runClaimed(call, run);
          } catch (CohortError e) {
            LOG.debug("transaction {} ended with {}", run.tx().tid(), e.code().code());
          } catch (RuntimeException e) {
            LOG.error("COH.0900.0007E transaction {} failed unexpectedly", run.tx().tid(), e);
          } finally {
            MDC.clear();
          }
        });
  }

  /** The answer for a claim that does not run anything: a replay or an error. */
  private Result settled(Claim claim, Call call, String tid) {
    return switch (claim) {
      case Claim.Ended ended -> replay(ended.tx(), call);
      case Claim.Running running ->
          throw new CohortError(
              ErrorCode.GD_RUNNING,
              "transaction " + running.tx().tid() + " is running (attempt " + running.tx().attempts()
                  + " on node " + running.tx().leaseNode().orElse("?") + "); ask its status later");
      case Claim.Expired expired ->
          throw new CohortError(
              ErrorCode.GD_EXPIRED,
              "transaction " + expired.tx().tid() + " expired at " + expired.tx().expiresAt()
                  + " before it completed; it will not run");
      case Claim.Unknown unknown -> throw unknown(tid);
      case Claim.Mismatch mismatch ->
          throw new CohortError(
              ErrorCode.GD_MISMATCH,
              mismatch.tx().kind() == Tx.Kind.KEY
                  ? "this Idempotency-Key was first used " + mismatch.how() + "; use a new key"
                  : "transaction " + tid + " was first used " + mismatch.how() + "; use a new transaction id");
      case Claim.Run run -> throw new IllegalStateException("a run is not settled");
    };
  }

  private static Result replay(Tx tx, Call call) {
    if (tx.state() == TxState.DONE) {
      Document output =
          tx.result()
              .map(r -> Json.readDocument(r.getBytes(StandardCharsets.UTF_8)))
              .orElseGet(Document::create);
      return new Result(new Outcome(output, call.session()), true, tx);
    }
    ErrorCode code =
        tx.errorCode().flatMap(ErrorCode::byCode).orElse(ErrorCode.SERVICE_FAILED);
    return new Result(
        null, true, tx, new CohortError(code, tx.errorMessage().orElse("transaction " + tx.tid() + " failed")));
  }

  // ---------------------------------------------------------------- leases, sweeping, recovery

  private void renewLeases() {
    try {
      List<JobStore.Lease> held = List.copyOf(leases);
      int renewed = store.renew(held, leaseMillis());
      if (renewed < held.size()) {
        LOG.warn(
            "COH.0900.0008W {} of {} lease(s) held by this node were broken by another node; their"
                + " attempts will be rolled back", held.size() - renewed, held.size());
      }
    } catch (RuntimeException e) {
      LOG.warn("COH.0900.0009W cannot renew guaranteed-delivery leases: {}", e.getMessage());
    }
  }

  /** Removes expired transactions and recovers those whose attempt's node died. */
  void sweepAndRecover() {
    if (closed) {
      return;
    }
    try {
      int removed = store.sweep();
      if (removed > 0) {
        LOG.debug("removed {} expired transaction(s)", removed);
      }
      for (Tx tx : store.brokenLeases(100)) {
        recover(tx);
      }
      counts.set(store.counts());
    } catch (RuntimeException e) {
      LOG.warn("COH.0900.0010W guaranteed-delivery sweep failed: {}", e.getMessage());
    }
  }

  /**
   * Decides about a transaction whose attempt crashed (or an operator resubmitted): at-most-once
   * becomes IN_DOUBT; retry and exactly-once run again here from the stored request.
   */
  private void recover(Tx tx) {
    Optional<RegisteredService> service =
        tx.service().flatMap(name -> registry.find(ServiceName.parse(name)));
    if (service.isEmpty()) {
      return; // not deployed here: a node that has it recovers it
    }
    Claim claim;
    try {
      claim = store.reclaim(tx.tid(), service.get().guarantee(), nodeName, leaseMillis());
    } catch (JobStore.LockBusyException e) {
      return; // another node is deciding about it right now
    }
    switch (claim) {
      case Claim.Run run -> {
        Optional<Caller> caller = realm.caller(tx.owner());
        Decision decision =
            caller.map(c -> realm.authorize(c, service.get().name().toString(), registry::aclFor))
                .orElse(null);
        if (caller.isEmpty() || !decision.allowed()) {
          recordFailure(
              tx.tid(),
              run.token(),
              new CohortError(
                  ErrorCode.FORBIDDEN,
                  "user " + tx.owner() + " may no longer run " + service.get().name()));
          return;
        }
        attempt("recovered");
        LOG.info(
            "COH.0900.0001I running transaction {} ({}) again: attempt {}, {} retr(ies) left",
            tx.tid(), service.get().name(), run.tx().attempts(), run.tx().retriesLeft());
        Document input = Json.readDocument(tx.input().orElse("{}").getBytes(StandardCharsets.UTF_8));
        runInBackground(
            new Call(service.get(), input, caller.get(), Optional.empty(), "gd-" + tx.tid()), run);
      }
      case Claim.Ended ended when ended.tx().state() == TxState.IN_DOUBT && tx.state() == TxState.PENDING -> {
        attempt("in_doubt");
        LOG.warn("COH.0900.0003W transaction {} is IN_DOUBT: {}", tx.tid(), ended.tx().errorMessage().orElse(""));
      }
      default -> {}
    }
  }

  private long leaseMillis() {
    return config.lockBreak().toMillis();
  }

  // ---------------------------------------------------------------- helpers

  private Tx own(Caller caller, String tid) {
    checkTid(tid);
    return store.find(tid).filter(t -> t.owner().equals(caller.user())).orElseThrow(() -> unknown(tid));
  }

  private static CohortError unknown(String tid) {
    return new CohortError(
        ErrorCode.GD_UNKNOWN,
        "no transaction " + tid + " of yours: it was never started, was ended, or was removed"
            + " after its TTL");
  }

  private static void requireUser(Caller caller) {
    if (caller.anonymous()) {
      throw new CohortError(
          ErrorCode.UNAUTHENTICATED,
          "guaranteed delivery needs an authenticated caller (transactions belong to their user);"
              + " send HTTP Basic credentials or a session");
    }
  }

  private static void checkTid(String tid) {
    if (!TID.matcher(tid).matches()) {
      throw new CohortError(
          ErrorCode.INVALID_INPUT,
          "a transaction id is 1 to 128 of the characters A-Z a-z 0-9 . _ : -");
    }
  }

  private static String randomTid() {
    byte[] bytes = new byte[16];
    RANDOM.nextBytes(bytes);
    return "tx-" + HexFormat.of().formatHex(bytes);
  }

  static String sha256(String text) {
    try {
      return HexFormat.of()
          .formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private static void pause(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new CohortError(ErrorCode.UNAVAILABLE, "interrupted; the node is stopping");
    }
  }

  /**
   * Lets background attempts (submits, recoveries) finish for up to {@code node.shutdown-timeout},
   * then interrupts the rest; their leases break in time (or when this node starts again).
   */
  @Override
  public void close() {
    closed = true;
    background.shutdown();
    try {
      if (!background.awaitTermination(drain.toMillis(), TimeUnit.MILLISECONDS)) {
        LOG.warn("COH.0900.0012W background transaction attempts still running at shutdown are interrupted");
        background.shutdownNow();
      }
    } catch (InterruptedException e) {
      background.shutdownNow();
      Thread.currentThread().interrupt();
    }
  }

  /** The attempt's lease was broken and another attempt claimed the transaction. */
  private static final class Fenced extends RuntimeException {
    private static final long serialVersionUID = 1L;

    Fenced() {
      super("fenced", null, false, false);
    }
  }
}
