package dev.cohort.server.session.grid;

import dev.cohort.server.session.SessionData;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.infinispan.protostream.annotations.Proto;
import org.infinispan.protostream.annotations.ProtoTypeId;

/**
 * A session as the distributed cache holds it. Attribute values stay opaque bytes, so the cache
 * never needs (or runs) the application's classes.
 *
 * @param id the session id
 * @param user its user
 * @param createdAt creation time, nanoseconds since the epoch
 * @param lastAccessedAt last use, nanoseconds since the epoch
 * @param maxIdleNanos idle time after which it expires
 * @param csrfToken its CSRF token
 * @param attributes its attributes
 * @param revision the highest attribute version issued so far (also for removed attributes)
 * @param recentChanges ids of the last changes applied, so that a change retried after a crash
 *     of its primary owner is not applied (or refused as a conflict) twice
 */
@Proto
@ProtoTypeId(SessionSchema.STORED_SESSION)
public record StoredSession(
    String id,
    String user,
    long createdAt,
    long lastAccessedAt,
    long maxIdleNanos,
    String csrfToken,
    List<StoredAttribute> attributes,
    long revision,
    List<Long> recentChanges) {

  static final int RECENT_CHANGES = 16;

  public StoredSession {
    attributes = attributes == null ? List.of() : List.copyOf(attributes);
    recentChanges = recentChanges == null ? List.of() : List.copyOf(recentChanges);
  }

  /** One attribute: its name, serialized value and version. */
  @Proto
  @ProtoTypeId(SessionSchema.STORED_ATTRIBUTE)
  public record StoredAttribute(String name, byte[] bytes, long version) {}

  static StoredSession of(SessionData data) {
    long revision =
        data.attributes().values().stream().mapToLong(SessionData.Attribute::version).max().orElse(0);
    return new StoredSession(
        data.id(),
        data.user(),
        nanos(data.createdAt()),
        nanos(data.lastAccessedAt()),
        data.maxIdle().toNanos(),
        data.csrfToken(),
        data.attributes().entrySet().stream()
            .map(e -> new StoredAttribute(e.getKey(), e.getValue().bytes(), e.getValue().version()))
            .toList(),
        revision,
        List.of());
  }

  SessionData toData() {
    Map<String, SessionData.Attribute> map = new HashMap<>();
    for (StoredAttribute a : attributes) {
      map.put(a.name(), new SessionData.Attribute(a.bytes(), a.version()));
    }
    return new SessionData(
        id, user, instant(createdAt), instant(lastAccessedAt), Duration.ofNanos(maxIdleNanos),
        csrfToken, map);
  }

  boolean expiredAt(long nowNanos) {
    return lastAccessedAt + maxIdleNanos <= nowNanos;
  }

  static long nanos(Instant t) {
    return Math.addExact(Math.multiplyExact(t.getEpochSecond(), 1_000_000_000L), t.getNano());
  }

  static Instant instant(long nanos) {
    return Instant.ofEpochSecond(Math.floorDiv(nanos, 1_000_000_000L), Math.floorMod(nanos, 1_000_000_000L));
  }
}
