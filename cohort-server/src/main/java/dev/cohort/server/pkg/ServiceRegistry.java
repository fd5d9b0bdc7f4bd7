package dev.cohort.server.pkg;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The services of every package in the packages directory, loaded once at start. A package
 * that fails to load is reported (log code {@code COH.0100.0002E} and the admin API) and the
 * node runs without it.
 */
public final class ServiceRegistry implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(ServiceRegistry.class);

  private final Map<ServiceName, RegisteredService> services;
  private final Map<String, RegisteredService> byPath;
  private final List<LoadedPackage> packages;
  private final Map<String, String> aclDefaults;
  private final List<PackageClassLoader> loaders;
  private final String fingerprint;

  private ServiceRegistry(
      Map<ServiceName, RegisteredService> services,
      List<LoadedPackage> packages,
      Map<String, String> aclDefaults,
      List<PackageClassLoader> loaders) {
    this.services = Map.copyOf(services);
    Map<String, RegisteredService> paths = new HashMap<>();
    services.forEach((name, service) -> paths.put(name.folder() + "/" + name.service(), service));
    this.byPath = Map.copyOf(paths);
    this.packages = List.copyOf(packages);
    this.aclDefaults = Map.copyOf(aclDefaults);
    this.loaders = List.copyOf(loaders);
    this.fingerprint = Fingerprint.of(packages, loaders);
  }

  /**
   * Loads every package directory under {@code dir}, in name order. A missing {@code dir} means
   * no packages (with a warning).
   */
  public static ServiceRegistry load(Path dir) {
    return load(dir, BuiltIns.NONE);
  }

  /**
   * Loads every package directory under {@code dir} on top of the node's built-in services
   * ({@code pub.*}): a package cannot replace a built-in.
   */
  public static ServiceRegistry load(Path dir, BuiltIns builtIns) {
    PackageLoader loader = new PackageLoader(ServiceRegistry.class.getClassLoader());
    Map<ServiceName, RegisteredService> services = new LinkedHashMap<>();
    Map<String, String> aclDefaults = new HashMap<>();
    builtIns.services().forEach(s -> services.put(s.name(), s));
    aclDefaults.putAll(builtIns.acls());
    List<LoadedPackage> packages = new ArrayList<>();
    List<PackageClassLoader> loaders = new ArrayList<>();
    if (!Files.isDirectory(dir)) {
      LOG.warn(
          "COH.0100.0001W packages directory {} does not exist; no services are deployed",
          dir.toAbsolutePath());
      return new ServiceRegistry(services, packages, aclDefaults, loaders);
    }
    List<Path> dirs;
    try (Stream<Path> children = Files.list(dir)) {
      dirs =
          children
              .filter(Files::isDirectory)
              .filter(p -> !p.getFileName().toString().startsWith("."))
              .sorted(Comparator.comparing(p -> p.getFileName().toString()))
              .toList();
    } catch (IOException e) {
      LOG.error("COH.0100.0003E cannot list packages directory {}: {}", dir, e.toString());
      return new ServiceRegistry(services, packages, aclDefaults, loaders);
    }
    for (Path packageDir : dirs) {
      PackageLoader.Result result = loader.load(packageDir.toAbsolutePath().normalize());
      LoadedPackage info = result.info();
      List<String> errors = new ArrayList<>(info.errors());
      List<String> loaded = new ArrayList<>();
      for (RegisteredService service : result.services()) {
        RegisteredService existing = services.putIfAbsent(service.name(), service);
        if (existing != null) {
          errors.add(
              "service " + service.name() + " is already provided by package "
                  + existing.packageName() + "; this one is not deployed");
        } else {
          loaded.add(service.name().toString());
        }
      }
      info.acls().forEach(aclDefaults::putIfAbsent);
      if (result.loader() != null) {
        loaders.add(result.loader());
      }
      LoadedPackage.State state =
          loaded.isEmpty()
              ? LoadedPackage.State.FAILED
              : errors.isEmpty() ? LoadedPackage.State.LOADED : LoadedPackage.State.PARTIAL;
      LoadedPackage finalInfo =
          new LoadedPackage(
              info.name(), info.version(), info.description(), info.dir(), state, loaded, errors,
              info.acls());
      packages.add(finalInfo);
      report(finalInfo);
    }
    return new ServiceRegistry(services, packages, aclDefaults, loaders);
  }

  private static void report(LoadedPackage p) {
    switch (p.state()) {
      case LOADED ->
          LOG.info(
              "package {} {} loaded: {} service(s)", p.name(), p.version(), p.services().size());
      case PARTIAL ->
          LOG.error(
              "COH.0100.0002E package {} {} loaded in part ({} service(s)); problems: {}",
              p.name(),
              p.version(),
              p.services().size(),
              String.join("; ", p.errors()));
      case FAILED ->
          LOG.error(
              "COH.0100.0002E package {} not loaded: {}", p.name(), String.join("; ", p.errors()));
    }
  }

  /** The service called {@code name}, if deployed. */
  public Optional<RegisteredService> find(ServiceName name) {
    return Optional.ofNullable(services.get(name));
  }

  /**
   * The service an invoke path names ({@code folder.subfolder/service}), if deployed. A map
   * look-up: no parsing on the hot path.
   */
  public Optional<RegisteredService> findByPath(String path) {
    return Optional.ofNullable(byPath.get(path));
  }

  /** Every package found, with its state and errors, in name order. */
  public List<LoadedPackage> packages() {
    return packages;
  }

  /**
   * A digest of what is deployed: every package's name, version and state, its manifest and
   * the bytes of its jars. Nodes that run the same packages have the same fingerprint.
   */
  public String fingerprint() {
    return fingerprint;
  }

  /** The number of services deployed. */
  public int serviceCount() {
    return services.size();
  }

  /** The ACL a manifest assigns to {@code target} (a folder or a service). */
  public Optional<String> aclFor(String target) {
    return Optional.ofNullable(aclDefaults.get(target));
  }

  @Override
  public void close() {
    for (PackageClassLoader loader : loaders) {
      try {
        loader.close();
      } catch (IOException e) {
        LOG.debug("closing class loader of package {}: {}", loader.packageName(), e.toString());
      }
    }
  }
}
