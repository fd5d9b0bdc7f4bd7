package dev.cohort.server.security;

import java.util.Optional;

/**
 * ACL assignments that deployed packages declare in their manifests. Assignments stored in the
 * database (made through the admin API) take precedence over these.
 */
@FunctionalInterface
public interface AclDefaults {

  AclDefaults NONE = target -> Optional.empty();

  /** The ACL a manifest assigns to {@code target}, a folder or a full service name. */
  Optional<String> aclFor(String target);
}
