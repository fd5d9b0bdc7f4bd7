package dev.cohort.server.admin;

import dev.cohort.server.http.PrimaryPort;
import java.nio.file.Path;
import java.util.function.Supplier;

/**
 * What the admin API may do to its own node.
 *
 * @param primary the primary port (offline/online)
 * @param dataDir where the node records its own overrides (remove/add)
 * @param clustered whether the node runs as a cluster member now
 * @param stop stops the whole node (failover action fail-fast), without waiting
 */
public record NodeControl(
    Supplier<PrimaryPort> primary, Path dataDir, boolean clustered, Runnable stop) {}
