package dev.cohort.server.pkg;

import java.util.List;
import java.util.Map;

/**
 * The services a node provides itself, whatever packages are deployed (the seeds' {@code
 * WmPublic} services, such as {@code pub.remote:invoke}).
 *
 * @param services the services, registered under the package name {@link #PACKAGE}
 * @param acls default ACLs by folder or service (as a package's {@code acls} would give), which
 *     an administrator's assignment replaces
 */
public record BuiltIns(List<RegisteredService> services, Map<String, String> acls) {

  /** The package name built-in services show under. */
  public static final String PACKAGE = "(built-in)";

  public static final BuiltIns NONE = new BuiltIns(List.of(), Map.of());

  public BuiltIns {
    services = List.copyOf(services);
    acls = Map.copyOf(acls);
  }
}
