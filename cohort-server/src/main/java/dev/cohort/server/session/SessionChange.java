package dev.cohort.server.session;

import java.time.Instant;
import java.util.Map;
import java.util.Optional;

/**
 * What one top-level call changed in a session: only the attributes that changed, each with
 * the version the call read, so that a store can detect that another call changed the same
 * attribute in between (compare-and-set per attribute; changes to different attributes merge).
 *
 * @param id the session id
 * @param accessedAt when the call used the session (becomes {@code lastAccessedAt})
 * @param updates attribute name → update
 */
public record SessionChange(String id, Instant accessedAt, Map<String, Update> updates) {

  public SessionChange {
    updates = Map.copyOf(updates);
  }

  /**
   * A new value (or removal) for one attribute.
   *
   * @param baseVersion the version the call read; 0 if the attribute was absent
   * @param bytes the new serialized value, or empty to remove the attribute
   */
  public record Update(long baseVersion, Optional<byte[]> bytes) {}
}
