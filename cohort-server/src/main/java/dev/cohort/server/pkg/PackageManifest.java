package dev.cohort.server.pkg;

import java.util.List;
import java.util.Map;

/**
 * A package's {@code package.yaml}.
 *
 * <pre>
 * name: Samples                 # must equal the directory name
 * version: 1.0.0
 * description: Sample services
 * jars: [lib/*.jar]             # globs relative to the package directory (default lib/*.jar)
 * services:                     # one class per service, implementing dev.cohort.api.Service
 *   samples.hello:greet: dev.cohort.samples.Greet
 * classes:                      # classes whose @CohortService methods are services
 *   - dev.cohort.samples.Cart
 * acls:                         # ACL for a folder or a service, unless the admin API assigns another
 *   samples: Default
 * guarantees:                   # what a crash under guaranteed delivery means, by folder or service
 *   samples.orders:placeOrder: exactly-once      # at-most-once (default) | retry | exactly-once
 * </pre>
 */
public record PackageManifest(
    String name,
    String version,
    String description,
    List<String> jars,
    Map<String, String> services,
    List<String> classes,
    Map<String, String> acls,
    Map<String, String> guarantees) {

  public PackageManifest {
    description = description == null ? "" : description;
    jars = jars == null || jars.isEmpty() ? List.of("lib/*.jar") : List.copyOf(jars);
    services = services == null ? Map.of() : Map.copyOf(services);
    classes = classes == null ? List.of() : List.copyOf(classes);
    acls = acls == null ? Map.of() : Map.copyOf(acls);
    guarantees = guarantees == null ? Map.of() : Map.copyOf(guarantees);
  }
}
