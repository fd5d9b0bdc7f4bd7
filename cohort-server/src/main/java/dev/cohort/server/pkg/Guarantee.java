package dev.cohort.server.pkg;

import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;

/**
 * What a service declares a crash during a guaranteed-delivery run means, in its package
 * manifest's {@code guarantees} (default {@link #AT_MOST_ONCE}).
 */
public enum Guarantee {
  /**
   * An attempt that crashed is not run again: its transaction becomes IN_DOUBT until an operator
   * resubmits or ends it. For services with effects outside the shared database that must not
   * happen twice.
   */
  AT_MOST_ONCE,
  /** An attempt that crashed is run again. The service is idempotent. */
  RETRY,
  /**
   * An attempt that crashed is run again, and that is safe: the service makes all its effects
   * through {@code ServiceContext.transaction()}, which commits together with the DONE record, so
   * a crashed attempt left nothing behind.
   */
  EXACTLY_ONCE;

  /** How manifests and the admin API write it: {@code at-most-once}, {@code retry}, {@code exactly-once}. */
  public String label() {
    return name().toLowerCase(Locale.ROOT).replace('_', '-');
  }

  /** The guarantee a label names, if any. */
  public static Optional<Guarantee> ofLabel(String label) {
    return Arrays.stream(values()).filter(g -> g.label().equals(label)).findFirst();
  }

  /** Whether an attempt that crashed may be run again. */
  public boolean rerunsAfterCrash() {
    return this != AT_MOST_ONCE;
  }
}
