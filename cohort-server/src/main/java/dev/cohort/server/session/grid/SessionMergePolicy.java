package dev.cohort.server.session.grid;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.infinispan.container.entries.CacheEntry;
import org.infinispan.container.entries.ImmortalCacheEntry;
import org.infinispan.conflict.EntryMergePolicy;

/**
 * How the copies of a session are reconciled when the two sides of a healed split (availability
 * priority) both hold it: attribute by attribute, so that a change made on either side survives
 * unless the other side changed the same attribute too.
 *
 * <ul>
 *   <li>the session is kept if any side has it;
 *   <li>an attribute present on several sides takes the copy with the highest version; equal
 *       versions with different values (both sides changed it from the same base) go to the side
 *       whose session was used last;
 *   <li>an attribute present on only one side is kept (so one removed on the other side during the
 *       split comes back);
 *   <li>last access is the latest of all sides.
 * </ul>
 */
public final class SessionMergePolicy implements EntryMergePolicy<String, StoredSession> {

  @Override
  public CacheEntry<String, StoredSession> merge(
      CacheEntry<String, StoredSession> preferredEntry,
      List<CacheEntry<String, StoredSession>> otherEntries) {
    List<StoredSession> copies = new ArrayList<>();
    String key = null;
    if (preferredEntry != null && preferredEntry.getValue() != null) {
      copies.add(preferredEntry.getValue());
      key = preferredEntry.getKey();
    }
    for (CacheEntry<String, StoredSession> e : otherEntries) {
      if (e != null && e.getValue() != null) {
        copies.add(e.getValue());
        key = e.getKey();
      }
    }
    if (copies.isEmpty()) {
      return null;
    }
    StoredSession merged = merge(copies);
    return new ImmortalCacheEntry(key, merged);
  }

  static StoredSession merge(List<StoredSession> copies) {
    // Most recently used first: it wins ties.
    List<StoredSession> ordered =
        copies.stream()
            .sorted(Comparator.comparingLong(StoredSession::lastAccessedAt).reversed())
            .toList();
    StoredSession base = ordered.get(0);
    Map<String, StoredSession.StoredAttribute> attributes = new HashMap<>();
    long revision = 0;
    List<Long> recent = new ArrayList<>();
    for (StoredSession s : ordered) {
      revision = Math.max(revision, s.revision());
      for (Long id : s.recentChanges()) {
        if (!recent.contains(id)) {
          recent.add(id);
        }
      }
      for (StoredSession.StoredAttribute a : s.attributes()) {
        StoredSession.StoredAttribute held = attributes.get(a.name());
        if (held == null || a.version() > held.version()) {
          attributes.put(a.name(), a);
        }
      }
    }
    // Equal versions on two sides are different values under one number: give the winner a new
    // version, so a call that read either copy must reread before changing it.
    long next = revision;
    List<StoredSession.StoredAttribute> out = new ArrayList<>();
    for (StoredSession.StoredAttribute a : attributes.values()) {
      boolean contested =
          ordered.stream()
              .flatMap(s -> s.attributes().stream())
              .anyMatch(
                  o -> o.name().equals(a.name())
                      && o.version() == a.version()
                      && !java.util.Arrays.equals(o.bytes(), a.bytes()));
      if (contested) {
        next++;
        out.add(new StoredSession.StoredAttribute(a.name(), a.bytes(), next));
      } else {
        out.add(a);
      }
    }
    if (recent.size() > StoredSession.RECENT_CHANGES) {
      recent = new ArrayList<>(recent.subList(0, StoredSession.RECENT_CHANGES));
    }
    return new StoredSession(
        base.id(),
        base.user(),
        ordered.stream().mapToLong(StoredSession::createdAt).min().orElse(base.createdAt()),
        base.lastAccessedAt(),
        base.maxIdleNanos(),
        Objects.requireNonNullElse(base.csrfToken(), ""),
        out,
        next,
        recent);
  }
}
