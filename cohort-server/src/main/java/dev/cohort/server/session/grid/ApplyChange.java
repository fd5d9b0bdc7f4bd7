package dev.cohort.server.session.grid;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.infinispan.functional.EntryView.ReadWriteEntryView;
import org.infinispan.protostream.annotations.Proto;

/**
 * One call's change to a session, applied where the session's copies live: the primary owner
 * checks every attribute's version (compare-and-set) and applies all updates or none; backup
 * owners replay the same function on their copy. Only this function travels — the changed
 * attributes, not the session — so what a request sends does not grow with the session.
 *
 * @param changeId unique per change; a change already applied (retried after a crash) is a no-op
 * @param accessedAt when the call used the session, nanoseconds since the epoch
 * @param updates the changed attributes
 */
@Proto
public record ApplyChange(long changeId, long accessedAt, List<Update> updates)
    implements Function<ReadWriteEntryView<String, StoredSession>, ChangeOutcome> {

  public ApplyChange {
    updates = updates == null ? List.of() : List.copyOf(updates);
  }

  /**
   * A new value (or removal) for one attribute.
   *
   * @param name the attribute
   * @param baseVersion the version the call read; 0 if absent
   * @param remove whether the attribute is removed
   * @param bytes the new serialized value (ignored when removing)
   */
  @Proto
  public record Update(String name, long baseVersion, boolean remove, byte[] bytes) {}

  @Override
  public ChangeOutcome apply(ReadWriteEntryView<String, StoredSession> view) {
    StoredSession s = view.find().orElse(null);
    if (s == null) {
      return ChangeOutcome.GONE;
    }
    if (s.recentChanges().contains(changeId)) {
      return ChangeOutcome.SAVED;
    }
    Map<String, StoredSession.StoredAttribute> attrs = new HashMap<>();
    for (StoredSession.StoredAttribute a : s.attributes()) {
      attrs.put(a.name(), a);
    }
    List<String> conflicts = new ArrayList<>();
    for (Update u : updates) {
      StoredSession.StoredAttribute current = attrs.get(u.name());
      if ((current == null ? 0 : current.version()) != u.baseVersion()) {
        conflicts.add(u.name());
      }
    }
    if (!conflicts.isEmpty()) {
      return new ChangeOutcome(ChangeOutcome.CONFLICT, conflicts);
    }
    long revision = updates.isEmpty() ? s.revision() : s.revision() + 1;
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
    view.set(
        new StoredSession(
            s.id(),
            s.user(),
            s.createdAt(),
            Math.max(s.lastAccessedAt(), accessedAt),
            s.maxIdleNanos(),
            s.csrfToken(),
            new ArrayList<>(attrs.values()),
            revision,
            recent));
    return ChangeOutcome.SAVED;
  }
}
