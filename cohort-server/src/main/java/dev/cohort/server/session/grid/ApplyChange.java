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
import org.infinispan.protostream.annotations.ProtoTypeId;

/**
 * One call's change to a session, applied where the session's copies live. Only this function
 * travels — the changed attributes, not the session — so what a request sends does not grow with
 * the session.
 *
 * <p>The primary owner decides: it checks every attribute's version (compare-and-set), applies
 * all updates or none, and records its decision in this object. Infinispan then sends this same
 * object to the backup owners, which <em>replay the decision</em> instead of deciding again, so
 * every copy ends up equal even if a backup's copy is missing or behind (a new owner during a
 * rebalance). A backup always writes what it replays: a new owner sees the old owners' copy
 * during a rebalance, not its own, and only a write replaces what state transfer brought it.
 * While the owners are changing, and when a retry finds the change applied already, the primary
 * also records the whole new session; in a settled topology only the changes travel.
 */
@ProtoTypeId(SessionSchema.APPLY_CHANGE)
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
  @ProtoTypeId(SessionSchema.UPDATE)
  public record Update(String name, long baseVersion, boolean remove, byte[] bytes) {}

  @Override
  public void inject(ComponentRegistry registry) {
    this.distribution = registry.getDistributionManager();
  }

  @Override
  public ChangeOutcome apply(ReadWriteEntryView<String, StoredSession> view) {
    LocalizedCacheTopology topology = distribution == null ? null : distribution.getCacheTopology();
    boolean primary = topology == null || topology.getDistribution(view.key()).isPrimary();
    return apply(view, primary, topology);
  }

  /** Applies this change to one copy, as its primary owner or as a backup. */
  ChangeOutcome apply(
      ReadWriteEntryView<String, StoredSession> view,
      boolean primary,
      LocalizedCacheTopology topology) {
    return !primary && decided ? replay(view) : decide(view, topology);
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
      view.set(s);
    } else {
      List<String> conflicting = conflicts(s);
      if (!conflicting.isEmpty()) {
        outcome = new ChangeOutcome(ChangeOutcome.CONFLICT, conflicting);
      } else {
        baseRevision = s.revision();
        newRevision = updates.isEmpty() ? s.revision() : s.revision() + 1;
        StoredSession changed = applied(s, newRevision);
        view.set(changed);
        snapshot = ownersChanging(topology) ? changed : null;
        outcome = ChangeOutcome.SAVED;
      }
    }
    decided = true;
    status = outcome.status();
    conflicts = outcome.conflicts();
    return outcome;
  }

  /**
   * Whether the owners are changing: then a new owner may hold no copy or one that state transfer
   * brought from before this change, so the backups get the whole session rather than the change
   * alone.
   */
  private static boolean ownersChanging(LocalizedCacheTopology topology) {
    return topology != null
        && (topology.getPendingCH() != null
            || topology.getPhase() != org.infinispan.topology.CacheTopology.Phase.NO_REBALANCE);
  }

  /**
   * On a backup owner: do what the primary did, whatever this copy's versions say, and always
   * write the result. A backup that is a new owner during a rebalance does not see its own copy
   * here but the current one, fetched from the old owners; writing it is what makes this copy
   * current (a backup that skipped the write because the fetched copy had the change already kept
   * the older copy state transfer brought, and served it once it became an owner).
   */
  private ChangeOutcome replay(ReadWriteEntryView<String, StoredSession> view) {
    ChangeOutcome outcome = new ChangeOutcome(status, conflicts);
    if (status != ChangeOutcome.SAVED_STATUS) {
      return outcome;
    }
    StoredSession s = view.find().orElse(null);
    if (s != null && s.recentChanges().contains(changeId)) {
      view.set(s);
    } else if (snapshot != null) {
      view.set(snapshot);
    } else if (s != null) {
      // Owners get every change in the primary's order, so the copy is the primary's as of
      // baseRevision; one that is not missed a change.
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
