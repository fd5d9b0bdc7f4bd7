package dev.cohort.server.session.grid;

import dev.cohort.server.cluster.Grid;
import dev.cohort.server.session.SaveResult;
import dev.cohort.server.session.SessionChange;
import dev.cohort.server.session.SessionData;
import dev.cohort.server.session.SessionStore;
import dev.cohort.server.session.SessionsFullException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import org.infinispan.AdvancedCache;
import org.infinispan.context.Flag;
import org.infinispan.functional.FunctionalMap.ReadWriteMap;
import org.infinispan.functional.impl.FunctionalMapImpl;
import org.infinispan.functional.impl.ReadWriteMapImpl;
import org.infinispan.notifications.Listener;
import org.infinispan.notifications.cachelistener.annotation.CacheEntryPassivated;
import org.infinispan.notifications.cachelistener.event.CacheEntryPassivatedEvent;

/**
 * Sessions in the stateful cluster's distributed cache ({@code cohort-sessions}). A session is
 * one cache entry; a call's change travels as an {@link ApplyChange} function that carries only
 * the changed attributes, runs on the session's primary owner (per-attribute compare-and-set) and
 * is replayed by its backups. Writes are synchronous: when {@link #apply} returns, every copy has
 * the change.
 */
public final class GridSessionStore implements SessionStore {

  public static final String CACHE = "cohort-sessions";

  private final Grid grid;
  private final int maxSessions;
  private volatile Bound bound;
  private final Object limit = new Object();
  private int creating;

  private record Bound(
      long generation,
      AdvancedCache<String, StoredSession> cache,
      ReadWriteMap<String, StoredSession> functions,
      Passivations passivations) {}

  /**
   * Counts the session copies this node moved to its disk, so that {@link #held} knows when the
   * disk may hold copies that memory does not.
   */
  @Listener(observation = Listener.Observation.POST)
  public static final class Passivations {
    private final AtomicLong count = new AtomicLong();

    /** The count up to which every copy on disk was also in memory. */
    private final AtomicLong countedUpTo = new AtomicLong();

    @CacheEntryPassivated
    public void passivated(CacheEntryPassivatedEvent<?, ?> event) {
      count.incrementAndGet();
    }
  }

  /**
   * @param grid the cluster's data grid
   * @param maxSessions most sessions this node accepts to create while it holds this many locally
   */
  public GridSessionStore(Grid grid, int maxSessions) {
    this.grid = grid;
    this.maxSessions = maxSessions;
    bound();
  }

  private Bound bound() {
    Bound b = bound;
    if (b == null || b.generation != grid.generation()) {
      synchronized (this) {
        b = bound;
        if (b == null || b.generation != grid.generation()) {
          AdvancedCache<String, StoredSession> cache =
              grid.cache(CACHE, Grid.Copies.CONFIGURED, new SessionMergePolicy());
          Passivations passivations = new Passivations();
          cache.addListener(passivations);
          b =
              new Bound(
                  grid.generation(),
                  cache,
                  ReadWriteMapImpl.create(FunctionalMapImpl.create(cache)),
                  passivations);
          bound = b;
        }
      }
    }
    return b;
  }

  @Override
  public Optional<SessionData> get(String id) {
    return call("read", () -> Optional.ofNullable(bound().cache.get(id)).map(StoredSession::toData));
  }

  @Override
  public void create(SessionData session) {
    Bound b = bound();
    synchronized (limit) {
      if (atMost(b) + creating >= maxSessions && held(b) + creating >= maxSessions) {
        throw new SessionsFullException(maxSessions);
      }
      creating++;
    }
    boolean created;
    try {
      created =
          call(
              "create",
              () -> join(b.functions.eval(session.id(), new CreateSession(StoredSession.of(session)))));
    } finally {
      // The new entry is in this node's container (when it is an owner) before the write
      // returns, so the count above never misses it.
      synchronized (limit) {
        creating--;
      }
    }
    if (!created) {
      throw new IllegalStateException("a session with this id exists already");
    }
  }

  /** Ids whose primary owner is this node: a call that stays here then writes here first. */
  @Override
  public boolean prefersId(String id) {
    try {
      var topology = bound().cache.getDistributionManager().getCacheTopology();
      return topology.getDistribution(id).isPrimary();
    } catch (RuntimeException e) {
      return true;
    }
  }

  @Override
  public SaveResult apply(SessionChange change) {
    List<ApplyChange.Update> updates = new ArrayList<>();
    for (Map.Entry<String, SessionChange.Update> e : change.updates().entrySet()) {
      SessionChange.Update u = e.getValue();
      updates.add(
          new ApplyChange.Update(
              e.getKey(), u.baseVersion(), u.bytes().isEmpty(), u.bytes().orElse(null)));
    }
    // The change id only has to be unique among one session's changes (a retried change is
    // recognised by it); it is never shown outside the sealed cluster, so it needs no secure
    // random (a SecureRandom draw was 0.4% of a cluster call's CPU).
    long changeId = ThreadLocalRandom.current().nextLong();
    ApplyChange function =
        new ApplyChange(changeId, StoredSession.nanos(change.accessedAt()), updates);
    ChangeOutcome outcome = call("save", () -> join(bound().functions.eval(change.id(), function)));
    return switch (outcome.status()) {
      case ChangeOutcome.SAVED_STATUS -> new SaveResult.Saved();
      case ChangeOutcome.GONE_STATUS -> new SaveResult.Gone();
      default -> new SaveResult.Conflict(Set.copyOf(outcome.conflicts()));
    };
  }

  @Override
  public void remove(String id) {
    call(
        "remove",
        // A function (see RemoveSession: a copy on an owner's disk must go too), asynchronous and
        // joined like the other writes: a synchronous call waits with a timeout, and a virtual
        // thread's timed wait goes through the JDK's delay scheduler, waking its thread twice
        // (the logouts were half of all timed waits on a loaded node). Infinispan's own remote
        // timeout still ends a write that gets no answer.
        () -> join(bound().functions.eval(id, new RemoveSession())));
  }

  /**
   * Removes the expired sessions this node holds a copy of. Every member sweeps what it holds;
   * the removal re-checks expiry where the session lives, so a session used meanwhile survives
   * and two members removing the same one is harmless.
   */
  @Override
  public int sweep(Instant now) {
    Bound b = bound();
    long nanos = StoredSession.nanos(now);
    List<String> expired = new ArrayList<>();
    for (StoredSession s : b.cache.withFlags(Flag.CACHE_MODE_LOCAL).values()) {
      if (s.expiredAt(nanos)) {
        expired.add(s.id());
      }
    }
    int removed = 0;
    for (String id : expired) {
      if (Boolean.TRUE.equals(call("expire", () -> join(b.functions.eval(id, new RemoveIfExpired(nanos)))))) {
        removed++;
      }
    }
    return removed;
  }

  /** Sessions whose copy this node holds (as primary or backup owner). */
  @Override
  public int size() {
    return held(bound());
  }

  /**
   * An upper bound of {@link #held}, without reading the disk: a copy on disk that memory lacks
   * got there by a passivation since the last count that found none. The limit check on each
   * new session counts exactly only when this bound reaches the limit.
   */
  private static long atMost(Bound b) {
    Passivations p = b.passivations;
    return b.cache.getDataContainer().sizeIncludingExpired()
        + (p.count.get() - p.countedUpTo.get());
  }

  /**
   * Session copies this node holds: in memory, plus those passivated to its disk
   * ({@code cluster.max-sessions-in-memory}). The disk is counted (which reads every key) only
   * while it may hold copies that memory does not: from the first passivation until a count finds
   * none. Memory alone is not enough once a copy went to disk: a logout frees a place in memory
   * while the disk still holds others.
   */
  private int held(Bound b) {
    int inMemory = b.cache.getDataContainer().sizeIncludingExpired();
    Passivations p = b.passivations;
    long passivated = p.count.get();
    if (passivated == p.countedUpTo.get()) {
      return inMemory;
    }
    int all = b.cache.withFlags(Flag.CACHE_MODE_LOCAL).size();
    if (all <= inMemory) {
      // Every copy on disk is in memory too (read back since): until the next passivation,
      // memory alone counts.
      p.countedUpTo.accumulateAndGet(passivated, Math::max);
    }
    return all;
  }

  @Override
  public void close() {
    // The grid belongs to the node; it closes it.
  }

  private static <T> T join(CompletableFuture<T> future) {
    try {
      return future.join();
    } catch (CompletionException e) {
      if (e.getCause() instanceof RuntimeException r) {
        throw r;
      }
      throw e;
    }
  }

  private static <T> T call(String what, Supplier<T> action) {
    return GridCalls.call(what + " session", action);
  }
}
