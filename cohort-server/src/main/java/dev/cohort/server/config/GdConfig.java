package dev.cohort.server.config;

import static dev.cohort.server.config.Setting.Tier.FREQUENT;
import static dev.cohort.server.config.Setting.Tier.RARE;

import java.time.Duration;
import java.util.List;

/**
 * Guaranteed delivery: the job store in the shared database.
 *
 * @param defaultTtl how long a transaction lives when its client gives no TTL
 * @param defaultRetries how often a crashed attempt is run again when the client gives no limit
 * @param lockTimeout the wait between attempts to take a transaction's lock, and between looks
 *     at a transaction another node is running
 * @param lockBreak how long a node's lease on a transaction lasts without renewal: past it, the
 *     lease of a dead or unresponsive node is broken
 * @param sweepInterval how often ended and expired transactions are removed and broken leases
 *     recovered
 * @param idempotencyRetention how long a response stored for an {@code Idempotency-Key} is kept
 */
public record GdConfig(
    Duration defaultTtl,
    int defaultRetries,
    Duration lockTimeout,
    Duration lockBreak,
    Duration sweepInterval,
    Duration idempotencyRetention) {

  static final Setting<Duration> DEFAULT_TTL =
      Setting.duration(
          "gd.default-ttl",
          "30m",
          "m",
          Duration.ofSeconds(1),
          FREQUENT,
          "A guaranteed-delivery transaction whose client sets no time to live ends this long"
              + " after it starts: if it has not completed by then, it is not run any more.");
  static final Setting<Integer> DEFAULT_RETRIES =
      Setting.integer(
          "gd.default-retries",
          3,
          0,
          1_000,
          RARE,
          "How often an attempt that crashed (its node died or stopped answering) is run again,"
              + " for services declared retry or exactly-once, when the client sets no limit.");
  static final Setting<Integer> LOCK_TIMEOUT_MILLIS =
      Setting.integer(
          "gd.cluster.lock-timeout-millis",
          250,
          1,
          60_000,
          RARE,
          "Milliseconds a node waits between attempts to lock a transaction's record in the"
              + " shared database, and between looks at a transaction another node is running"
              + " (the seeds' watt.server.tx.cluster.lockTimeoutMillis).");
  static final Setting<Integer> LOCK_BREAK_SECS =
      Setting.integer(
          "gd.cluster.lock-break-secs",
          30,
          1,
          86_400,
          FREQUENT,
          "Seconds after which the lease of a node that holds a transaction but stopped renewing"
              + " it (dead or unresponsive) may be broken, on the database's clock. A live node"
              + " renews its leases every third of this. Lower means faster recovery after a"
              + " crash; it must stay above the longest pause a live node can have (the seeds'"
              + " watt.server.tx.cluster.lockBreakSecs). On PostgreSQL it is also how long an"
              + " exactly-once call's transaction may stay idle before PostgreSQL ends it (see"
              + " guaranteed-delivery.md, Locks and clocks).");
  static final Setting<Duration> SWEEP_INTERVAL =
      Setting.duration(
          "gd.sweep-interval",
          "10s",
          "s",
          Duration.ofMillis(100),
          RARE,
          "How often each node removes expired transactions and recovers those whose node died.");
  static final Setting<Duration> IDEMPOTENCY_RETENTION =
      Setting.duration(
          "gd.idempotency-retention",
          "24h",
          "h",
          Duration.ofSeconds(1),
          FREQUENT,
          "How long the response to a call with an Idempotency-Key header is kept and replayed"
              + " to retries of the same key.");

  static final List<Setting<?>> SETTINGS =
      List.of(
          DEFAULT_TTL,
          DEFAULT_RETRIES,
          LOCK_TIMEOUT_MILLIS,
          LOCK_BREAK_SECS,
          SWEEP_INTERVAL,
          IDEMPOTENCY_RETENTION);

  static GdConfig from(Values v) {
    return new GdConfig(
        v.get(DEFAULT_TTL),
        v.get(DEFAULT_RETRIES),
        Duration.ofMillis(v.get(LOCK_TIMEOUT_MILLIS)),
        Duration.ofSeconds(v.get(LOCK_BREAK_SECS)),
        v.get(SWEEP_INTERVAL),
        v.get(IDEMPOTENCY_RETENTION));
  }
}
