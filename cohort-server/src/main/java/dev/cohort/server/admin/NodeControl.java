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
 */
public record NodeControl(Supplier<PrimaryPort> primary, Path dataDir, boolean clustered) {}
