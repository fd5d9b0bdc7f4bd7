package dev.cohort.server.security;

import dev.cohort.api.Caller;
import dev.cohort.server.config.SecurityConfig;
import java.time.InstantSource;
import java.util.Optional;

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

  public Realm(SecurityStore store, PasswordHasher hasher, SecurityConfig config, InstantSource clock) {
    throw new UnsupportedOperationException("TODO");
  }

  /** The caller for {@code user} and {@code password}, or empty if they do not match an enabled user. */
  public Optional<Caller> authenticate(String user, String password) {
    throw new UnsupportedOperationException("TODO");
  }

  /** The caller for an already authenticated {@code user} (from a session); empty if the user was removed or disabled since. */
  public Optional<Caller> caller(String user) {
    throw new UnsupportedOperationException("TODO");
  }

  /** The unauthenticated caller. */
  public Caller anonymous() {
    throw new UnsupportedOperationException("TODO");
  }

  /**
   * Whether {@code caller} may run {@code service} ({@code folder.sub:name}). The ACL is the one
   * assigned to the service, else to its nearest folder (database assignments first, then
   * {@code defaults}, at each level), else {@code Default}.
   */
  public Decision authorize(Caller caller, String service, AclDefaults defaults) {
    throw new UnsupportedOperationException("TODO");
  }

  /** Reloads the snapshot every {@code interval} (picks up changes made by other nodes). */
  public void startRefreshing(java.util.concurrent.ScheduledExecutorService scheduler, java.time.Duration interval) {
    throw new UnsupportedOperationException("TODO");
  }

  /** Reloads the snapshot now if the store changed (called after admin changes, and periodically). */
  public void refresh() {
    throw new UnsupportedOperationException("TODO");
  }
}
