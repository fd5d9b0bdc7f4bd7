package dev.cohort.server.pkg;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * A package as the node loaded it, for the admin API.
 *
 * @param name the package name (its directory name)
 * @param version from the manifest; empty if the manifest could not be read
 * @param description from the manifest
 * @param dir where it lives
 * @param state whether it loaded whole, in part, or not at all
 * @param services the names of the services that loaded
 * @param errors what went wrong, one sentence each
 * @param acls the ACL assignments its manifest declares
 */
public record LoadedPackage(
    String name,
    String version,
    String description,
    Path dir,
    State state,
    List<String> services,
    List<String> errors,
    Map<String, String> acls) {

  /** How far loading got. */
  public enum State {
    /** Every service loaded. */
    LOADED,
    /** Some services loaded; see the errors for the others. */
    PARTIAL,
    /** Nothing loaded; see the errors. */
    FAILED
  }

  public LoadedPackage {
    services = List.copyOf(services);
    errors = List.copyOf(errors);
    acls = Map.copyOf(acls);
  }
}
