package dev.cohort.server.session.grid;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.infinispan.commands.functional.functions.InjectableComponent;
import org.infinispan.distribution.DistributionManager;
import org.infinispan.distribution.LocalizedCacheTopology;
import org.infinispan.factories.ComponentRegistry;
import org.infinispan.functional.EntryView.ReadWriteEntryView;
import org.infinispan.protostream.annotations.ProtoFactory;
import org.infinispan.protostream.annotations.ProtoField;

/**
 * One call's change to a session, applied where the session's copies live. Only this function
 * travels — the changed attributes, not the session — so what a request sends does not grow with
 * the session.
 *
 * <p>The primary owner decides: it checks every attribute's version (compare-and-set), applies
 * all updates or none, and records its decision in this object. Infinispan then sends this same
 * object to the backup owners, which <em>replay the decision</em> instead of deciding again, so
 * every copy ends up equal even if a backup's copy is missing or behind (a new owner during a
 * rebalance). While the owners are changing, and for 10 s after, the primary also records the
 * whole new session, so that a new owner that has no copy yet, or an older one from state
 * transfer, installs it; in a settled topology only the changes travel.
 */
public final class ApplyChange
    implements Function<ReadWriteEntryView<String, StoredSession>, ChangeOutcome>,
        InjectableComponent {

  private final long changeId;
  private final long accessedAt;
  private final List<Update> updates;
  // The primary owner's decision, recorded for the backups.
  private boolean decided;
  private int status;
  private List<String> conflicts;
  private long baseRevision;
  private long newRevision;
  private StoredSession snapshot;
  private transient DistributionManager distribution;
  private static final org.slf4j.Logger STALE = org.slf4j.LoggerFactory.getLogger(ApplyChange.class);

  /**
   * @param changeId unique per change; a change already applied (retried after a crash) is a no-op
   * @param accessedAt when the call used the session, nanoseconds since the epoch
   * @param updates the changed attributes
   */
  public ApplyChange(long changeId, long accessedAt, List<Update> updates) {
    this(changeId, accessedAt, updates, false, 0, List.of(), 0, 0, null);
  }

  @ProtoFactory
  ApplyChange(
      long changeId,
      long accessedAt,
      List<Update> updates,
      boolean decided,
      int status,
      List<String> conflicts,
      long baseRevision,
      long newRevision,
      StoredSession snapshot) {
    this.changeId = changeId;
    this.accessedAt = accessedAt;
    this.updates = updates == null ? List.of() : List.copyOf(updates);
    this.decided = decided;
    this.status = status;
    this.conflicts = conflicts == null ? List.of() : List.copyOf(conflicts);
    this.baseRevision = baseRevision;
    this.newRevision = newRevision;
    this.snapshot = snapshot;
  }

  @ProtoField(number = 1, defaultValue = "0")
  long getChangeId() {
    return changeId;
  }

  @ProtoField(number = 2, defaultValue = "0")
  long getAccessedAt() {
    return accessedAt;
  }

  @ProtoField(number = 3)
  List<Update> getUpdates() {
    return updates;
  }

  @ProtoField(number = 4, defaultValue = "false")
  boolean isDecided() {
    return decided;
  }

  @ProtoField(number = 5, defaultValue = "0")
  int getStatus() {
    return status;
  }

  @ProtoField(number = 6)
  List<String> getConflicts() {
    return conflicts;
  }

  @ProtoField(number = 7, defaultValue = "0")
  long getBaseRevision() {
    return baseRevision;
  }

  @ProtoField(number = 8, defaultValue = "0")
  long getNewRevision() {
    return newRevision;
  }

  @ProtoField(number = 9)
  StoredSession getSnapshot() {
    return snapshot;
  }

  /**
   * A new value (or removal) for one attribute.
   *
   * @param name the attribute
   * @param baseVersion the version the call read; 0 if absent
   * @param remove whether the attribute is removed
   * @param bytes the new serialized value (ignored when removing)
   */
  @org.infinispan.protostream.annotations.Proto
  public record Update(String name, long baseVersion, boolean remove, byte[] bytes) {}

  @Override
  public void inject(ComponentRegistry registry) {
    this.distribution = registry.getDistributionManager();
  }

  @Override
  public ChangeOutcome apply(ReadWriteEntryView<String, StoredSession> view) {
    LocalizedCacheTopology topology = distribution == null ? null : distribution.getCacheTopology();
    boolean primary = topology == null || topology.getDistribution(view.key()).isPrimary();
    if (!primary && decided) {
      return replay(view);
    }
    return decide(view, topology);
  }

  /** On the primary owner: check, apply and record the decision for the backups. */
  private ChangeOutcome decide(
      ReadWriteEntryView<String, StoredSession> view, LocalizedCacheTopology topology) {
    StoredSession s = view.find().orElse(null);
    ChangeOutcome outcome;
    if (s == null) {
      outcome = ChangeOutcome.GONE;
    } else if (s.recentChanges().contains(changeId)) {
      // Applied already: a retry after the previous primary crashed. Backups get the session.
      outcome = ChangeOutcome.SAVED;
      baseRevision = s.revision();
      newRevision = s.revision();
      snapshot = s;
    } else {
      List<String> conflicting = conflicts(s);
      if (!conflicting.isEmpty()) {
        outcome = new ChangeOutcome(ChangeOutcome.CONFLICT, conflicting);
      } else {
        baseRevision = s.revision();
        newRevision = updates.isEmpty() ? s.revision() : s.revision() + 1;
        StoredSession changed = applied(s, newRevision);
        view.set(changed);
        snapshot = ownersChangedRecently(topology) ? changed : null;
        outcome = ChangeOutcome.SAVED;
      }
    }
    decided = true;
    status = outcome.status();
    conflicts = outcome.conflicts();
    return outcome;
  }

  /** When this node first saw each cache topology (per distribution manager). */
  private static final Map<DistributionManager, long[]> SEEN =
      java.util.Collections.synchronizedMap(new java.util.WeakHashMap<>());

  private static final long SETTLE_NANOS = java.time.Duration.ofSeconds(10).toNanos();

  /**
   * Whether the owners are changing or changed in the last 10 s: then a new owner may hold no
   * copy or one that state transfer brought from before this change, so the backups get the
   * whole session rather than the change alone.
   */
  private boolean ownersChangedRecently(LocalizedCacheTopology topology) {
    if (topology == null) {
      return false;
    }
    if (topology.getPendingCH() != null
        || topology.getPhase() != org.infinispan.topology.CacheTopology.Phase.NO_REBALANCE) {
      return true;
    }
    long now = System.nanoTime();
    long[] seen = SEEN.computeIfAbsent(distribution, d -> new long[] {-1, now});
    synchronized (seen) {
      if (seen[0] != topology.getTopologyId()) {
        seen[0] = topology.getTopologyId();
        seen[1] = now;
      }
      return now - seen[1] < SETTLE_NANOS;
    }
  }

  /** On a backup owner: do what the primary did, whatever this copy's versions say. */
  private ChangeOutcome replay(ReadWriteEntryView<String, StoredSession> view) {
    ChangeOutcome outcome = new ChangeOutcome(status, conflicts);
    if (status != ChangeOutcome.SAVED_STATUS) {
      return outcome;
    }
    StoredSession s = view.find().orElse(null);
    if (s != null && s.recentChanges().contains(changeId)) {
      return outcome;
    }
    if (snapshot != null) {
      view.set(snapshot);
    } else if (s != null) {
      // Stable owners get every change in the primary's order, so the copy is the primary's as
      // of baseRevision; one that is not missed a change while the owners changed.
      if (s.revision() != baseRevision && s.revision() < newRevision) {
        STALE.warn(
            "COH.0300.0005W a backup copy of a session was behind its primary (revision {} instead"
                + " of {}); applying the change to it anyway",
            s.revision(),
            baseRevision);
      }
      view.set(applied(s, newRevision));
    }
    return outcome;
  }

  private List<String> conflicts(StoredSession s) {
    Map<String, Long> versions = new HashMap<>();
    for (StoredSession.StoredAttribute a : s.attributes()) {
      versions.put(a.name(), a.version());
    }
    List<String> conflicting = new ArrayList<>();
    for (Update u : updates) {
      if (versions.getOrDefault(u.name(), 0L) != u.baseVersion()) {
        conflicting.add(u.name());
      }
    }
    return conflicting;
  }

  private StoredSession applied(StoredSession s, long revision) {
    Map<String, StoredSession.StoredAttribute> attrs = new HashMap<>();
    for (StoredSession.StoredAttribute a : s.attributes()) {
      attrs.put(a.name(), a);
    }
    for (Update u : updates) {
      if (u.remove()) {
        attrs.remove(u.name());
      } else {
        attrs.put(u.name(), new StoredSession.StoredAttribute(u.name(), u.bytes(), revision));
      }
    }
    List<Long> recent = new ArrayList<>(s.recentChanges());
    recent.add(changeId);
    if (recent.size() > StoredSession.RECENT_CHANGES) {
      recent.subList(0, recent.size() - StoredSession.RECENT_CHANGES).clear();
    }
    return new StoredSession(
        s.id(),
        s.user(),
        s.createdAt(),
        Math.max(s.lastAccessedAt(), accessedAt),
        s.maxIdleNanos(),
        s.csrfToken(),
        new ArrayList<>(attrs.values()),
        Math.max(s.revision(), revision),
        recent);
  }
}
