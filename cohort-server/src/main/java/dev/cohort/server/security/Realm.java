package dev.cohort.server.security;

import dev.cohort.api.Caller;
import dev.cohort.server.config.SecurityConfig;
import dev.cohort.server.security.SecuritySnapshot.Account;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Who may do what, answered from an in-memory snapshot of the {@link SecurityStore} that is
 * reloaded when the store's version changes. Authentication runs the password hash only on a
 * credential-cache miss.
 */
public final class Realm {

  public static final String ADMINISTRATORS = "Administrators";
  public static final String EVERYBODY = "Everybody";
  public static final String ANONYMOUS_GROUP = "Anonymous";
  public static final String DEFAULT_ACL = "Default";

  /** Where {@link Decision#assignedAt()} points when no ACL is assigned on the service's path. */
  static final String UNASSIGNED = "(default)";

  /** Most remembered logins; more distinct ones than this within the TTL empty the cache. */
  static final int CREDENTIAL_CACHE_ENTRIES = 10_000;

  private static final Logger LOG = LoggerFactory.getLogger(Realm.class);
  private static final Caller ANONYMOUS_CALLER =
      new Caller(Caller.ANONYMOUS, Set.of(ANONYMOUS_GROUP));

  private final SecurityStore store;
  private final PasswordHasher hasher;
  private final CredentialCache credentials;
  private final AtomicReference<SecuritySnapshot> snapshot;
  private final LongAdder hashRuns = new LongAdder();
  private final Object refreshLock = new Object();
  private volatile boolean refreshFailing;

  /** A hash of a random password, checked for unknown users so they take as long as known ones. */
  private final String decoyHash;

  /**
   * Loads the current snapshot of {@code store}.
   *
   * @param store where users, groups and ACLs live
   * @param hasher verifies passwords
   * @param config the credential cache TTL
   * @param clock ages credential cache entries
   * @throws dev.cohort.server.db.DatabaseException if the store cannot be read
   */
  public Realm(
      SecurityStore store, PasswordHasher hasher, SecurityConfig config, InstantSource clock) {
    this.store = store;
    this.hasher = hasher;
    this.credentials =
        new CredentialCache(config.credentialCacheTtl(), clock, CREDENTIAL_CACHE_ENTRIES);
    byte[] decoy = new byte[16];
    new SecureRandom().nextBytes(decoy);
    this.decoyHash = hasher.hash(HexFormat.of().formatHex(decoy));
    this.snapshot = new AtomicReference<>(store.snapshot());
  }

  /**
   * The caller for {@code user} and {@code password}, or empty if they do not match an enabled
   * user.
   */
  public Optional<Caller> authenticate(String user, String password) {
    if (user == null || password == null) {
      return Optional.empty();
    }
    Optional<Account> account = snapshot.get().account(user);
    if (account.isPresent()
        && !account.get().disabled()
        && credentials.verified(user, password, account.get().passwordHash())) {
      return Optional.of(callerOf(account.get()));
    }
    hashRuns.increment();
    boolean matches = hasher.verify(password, account.map(Account::passwordHash).orElse(decoyHash));
    if (!matches || account.isEmpty() || account.get().disabled()) {
      return Optional.empty();
    }
    credentials.remember(user, password, account.get().passwordHash());
    return Optional.of(callerOf(account.get()));
  }

  /**
   * The caller for an already authenticated {@code user} (from a session); empty if the user was
   * removed or disabled since.
   */
  public Optional<Caller> caller(String user) {
    return snapshot.get().account(user).filter(a -> !a.disabled()).map(Realm::callerOf);
  }

  /** The unauthenticated caller. */
  public Caller anonymous() {
    return ANONYMOUS_CALLER;
  }

  /**
   * Whether {@code caller} may run {@code service} ({@code folder.sub:name}). The ACL is the one
   * assigned to the service, else to its nearest folder (database assignments first, then {@code
   * defaults}, at each level), else {@code Default}. An assigned ACL that does not exist denies.
   */
  public Decision authorize(Caller caller, String service, AclDefaults defaults) {
    SecuritySnapshot current = snapshot.get();
    for (String target : targets(service)) {
      String assigned = current.assignments().get(target);
      Optional<String> acl = assigned != null ? Optional.of(assigned) : defaults.aclFor(target);
      if (acl.isPresent()) {
        return decide(current, caller, acl.get(), target);
      }
    }
    return decide(current, caller, DEFAULT_ACL, UNASSIGNED);
  }

  /**
   * Reloads the snapshot now if the store changed (called after admin changes, and periodically).
   */
  public void refresh() {
    synchronized (refreshLock) {
      if (store.version() != snapshot.get().version()) {
        snapshot.set(store.snapshot());
      }
    }
  }

  /**
   * Runs {@link #refresh()} every {@code interval} on {@code scheduler}, so that changes made
   * through other nodes take effect here. A failed refresh keeps the last snapshot and is logged
   * once ({@code COH.0400.0001W}) until a refresh succeeds again.
   *
   * @return the scheduled task; cancel it (or shut the scheduler down) to stop
   */
  public ScheduledFuture<?> startRefreshing(ScheduledExecutorService scheduler, Duration interval) {
    if (interval.isNegative() || interval.isZero()) {
      throw new IllegalArgumentException("the refresh interval must be positive, not " + interval);
    }
    long millis = Math.max(1, interval.toMillis());
    return scheduler.scheduleWithFixedDelay(
        this::refreshQuietly, millis, millis, TimeUnit.MILLISECONDS);
  }

  /** The version of users, groups and ACLs this node has loaded (compare across nodes). */
  public long loadedVersion() {
    return snapshot.get().version();
  }

  /** How often the password hash ran: credential-cache misses, failed logins included. */
  long passwordHashRuns() {
    return hashRuns.sum();
  }

  private void refreshQuietly() {
    try {
      refresh();
      if (refreshFailing) {
        refreshFailing = false;
        LOG.info("COH.0400.0002I users and ACLs are being reloaded from the database again");
      }
    } catch (RuntimeException e) {
      if (!refreshFailing) {
        refreshFailing = true;
        LOG.warn(
            "COH.0400.0001W cannot reload users and ACLs ({}); keeping the ones loaded at"
                + " version {} until the database can be read",
            e.getMessage(),
            snapshot.get().version());
      }
    }
  }

  private static Caller callerOf(Account account) {
    Set<String> groups = new HashSet<>(account.groups());
    groups.add(EVERYBODY);
    return new Caller(account.name(), groups);
  }

  /** The service, then its folders from the nearest up: {@code a.b:c} → a.b:c, a.b, a. */
  static List<String> targets(String service) {
    List<String> targets = new ArrayList<>();
    int colon = service.indexOf(':');
    if (colon >= 0) {
      targets.add(service);
    }
    String folder = colon >= 0 ? service.substring(0, colon) : service;
    while (!folder.isEmpty()) {
      targets.add(folder);
      int dot = folder.lastIndexOf('.');
      folder = dot >= 0 ? folder.substring(0, dot) : "";
    }
    return targets;
  }

  private static Decision decide(
      SecuritySnapshot current, Caller caller, String aclName, String target) {
    Acl acl = current.acls().get(aclName);
    String where = "ACL '" + aclName + "' (assigned at " + target + ")";
    if (acl == null) {
      return new Decision(
          false,
          aclName,
          target,
          where + " does not exist, so nobody may call this; create the ACL or assign another");
    }
    Optional<String> denied =
        acl.deny().isEmpty() ? Optional.empty() : firstShared(caller.groups(), acl.deny());
    if (denied.isPresent()) {
      return new Decision(
          false,
          aclName,
          target,
          "user '%s' is in group '%s', which %s denies"
              .formatted(caller.user(), denied.get(), where));
    }
    for (String group : acl.allow()) {
      if (caller.groups().contains(group)) {
        // The hot path of every call: no formatting, no sorting.
        return new Decision(true, aclName, target, "allowed by " + where);
      }
    }
    return new Decision(
        false,
        aclName,
        target,
        "user '%s' is not in any group the %s allows".formatted(caller.user(), where));
  }

  private static Optional<String> firstShared(Set<String> groups, Set<String> listed) {
    return groups.stream().filter(listed::contains).sorted().findFirst();
  }
}
