package dev.cohort.server.pkg;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * A service's full name, {@code folder.subfolder:service}.
 *
 * @param folder the dotted folder path, e.g. {@code samples.cart}
 * @param service the service's own name, e.g. {@code addItem}
 */
public record ServiceName(String folder, String service) {

  private static final Pattern IDENTIFIER = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");

  public ServiceName {
    if (!validFolder(folder) || !IDENTIFIER.matcher(service).matches()) {
      throw new IllegalArgumentException(
          "'" + folder + ":" + service + "' is not a service name like folder.subfolder:service");
    }
  }

  /**
   * Parses {@code folder.subfolder:service}.
   *
   * @throws IllegalArgumentException if it is not of that form
   */
  public static ServiceName parse(String name) {
    int colon = name.indexOf(':');
    if (colon < 0 || colon != name.lastIndexOf(':')) {
      throw new IllegalArgumentException(
          "'" + name + "' is not a service name like folder.subfolder:service");
    }
    return new ServiceName(name.substring(0, colon), name.substring(colon + 1));
  }

  /** The name in an invoke path {@code folder.subfolder/service}, if it is one. */
  public static Optional<ServiceName> fromPath(String path) {
    int slash = path.indexOf('/');
    if (slash < 0 || slash != path.lastIndexOf('/')) {
      return Optional.empty();
    }
    String folder = path.substring(0, slash);
    String service = path.substring(slash + 1);
    if (!validFolder(folder) || !IDENTIFIER.matcher(service).matches()) {
      return Optional.empty();
    }
    return Optional.of(new ServiceName(folder, service));
  }

  /** Whether {@code folder} is a dotted path of identifiers. */
  public static boolean validFolder(String folder) {
    if (folder.isEmpty()) {
      return false;
    }
    for (String part : folder.split("\\.", -1)) {
      if (!IDENTIFIER.matcher(part).matches()) {
        return false;
      }
    }
    return true;
  }

  /** The full service name first, then each enclosing folder, nearest first. */
  public List<String> aclTargets() {
    List<String> targets = new ArrayList<>();
    targets.add(toString());
    String f = folder;
    while (true) {
      targets.add(f);
      int dot = f.lastIndexOf('.');
      if (dot < 0) {
        return targets;
      }
      f = f.substring(0, dot);
    }
  }

  @Override
  public String toString() {
    return folder + ":" + service;
  }
}
