package dev.cohort.server.pkg;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.cohort.api.CohortService;
import dev.cohort.api.Document;
import dev.cohort.api.Service;
import dev.cohort.api.ServiceContext;
import java.io.IOException;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.net.URL;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Loads one package directory: reads its manifest, opens its jars in their own class loader, and
 * instantiates its services. Every problem becomes an error sentence on the package; nothing
 * here throws for a bad package.
 */
final class PackageLoader {

  static final String MANIFEST = "package.yaml";

  private static final ObjectMapper YAML =
      new ObjectMapper(new YAMLFactory())
          .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);
  private static final MethodType SERVICE_METHOD =
      MethodType.methodType(Document.class, Document.class, ServiceContext.class);

  /** What loading one package produced. */
  record Result(LoadedPackage info, List<RegisteredService> services, PackageClassLoader loader) {}

  private final ClassLoader apiLoader;

  PackageLoader(ClassLoader apiLoader) {
    this.apiLoader = apiLoader;
  }

  Result load(Path dir) {
    String dirName = dir.getFileName().toString();
    List<String> errors = new ArrayList<>();
    PackageManifest manifest = readManifest(dir, errors);
    if (manifest == null) {
      return failed(dirName, dir, errors);
    }
    if (!manifest.name().equals(dirName)) {
      errors.add(
          "manifest name '" + manifest.name() + "' differs from the directory name '" + dirName
              + "'; rename one so they match");
      return failed(dirName, dir, errors);
    }
    List<URL> jars = findJars(dir, manifest.jars(), errors);
    if (jars.isEmpty()) {
      errors.add("no jar matches " + manifest.jars() + " in " + dir + "; build the package first");
      return failed(dirName, dir, errors);
    }
    PackageClassLoader loader =
        new PackageClassLoader(manifest.name(), jars.toArray(URL[]::new), apiLoader);
    Map<ServiceName, Service> services = new LinkedHashMap<>();
    manifest.services().forEach((name, className) -> loadClassService(loader, name, className, services, errors));
    for (String className : manifest.classes()) {
      loadAnnotated(loader, className, services, errors);
    }
    checkAclTargets(manifest, errors);
    Map<String, Guarantee> guarantees = readGuarantees(manifest, services.keySet(), errors);

    List<RegisteredService> registered =
        services.entrySet().stream()
            .map(
                e ->
                    new RegisteredService(
                        e.getKey(),
                        e.getValue(),
                        manifest.name(),
                        loader,
                        guaranteeOf(e.getKey(), guarantees)))
            .toList();
    LoadedPackage.State state =
        registered.isEmpty()
            ? LoadedPackage.State.FAILED
            : errors.isEmpty() ? LoadedPackage.State.LOADED : LoadedPackage.State.PARTIAL;
    if (registered.isEmpty() && errors.isEmpty()) {
      errors.add("the manifest declares no services or classes");
    }
    LoadedPackage info =
        new LoadedPackage(
            manifest.name(),
            manifest.version(),
            manifest.description(),
            dir,
            state,
            registered.stream().map(s -> s.name().toString()).toList(),
            errors,
            manifest.acls());
    return new Result(info, registered, loader);
  }

  private static Result failed(String name, Path dir, List<String> errors) {
    return new Result(
        new LoadedPackage(name, "", "", dir, LoadedPackage.State.FAILED, List.of(), errors, Map.of()),
        List.of(),
        null);
  }

  private static PackageManifest readManifest(Path dir, List<String> errors) {
    Path file = dir.resolve(MANIFEST);
    if (!Files.isRegularFile(file)) {
      errors.add("no " + MANIFEST + " in " + dir);
      return null;
    }
    try {
      PackageManifest manifest = YAML.readValue(file.toFile(), PackageManifest.class);
      if (manifest == null) {
        errors.add(MANIFEST + " is empty");
      } else if (manifest.name() == null || manifest.name().isBlank()) {
        errors.add(MANIFEST + " has no 'name'");
        return null;
      } else if (manifest.version() == null || manifest.version().isBlank()) {
        errors.add(MANIFEST + " has no 'version'");
        return null;
      }
      return manifest;
    } catch (IOException e) {
      errors.add("bad " + MANIFEST + ": " + firstLine(e.getMessage()));
      return null;
    }
  }

  private static List<URL> findJars(Path dir, List<String> globs, List<String> errors) {
    List<URL> urls = new ArrayList<>();
    for (String glob : globs) {
      PathMatcher matcher = FileSystems.getDefault().getPathMatcher("glob:" + glob);
      try (Stream<Path> files = Files.walk(dir, 4)) {
        for (Path p : files.sorted().toList()) {
          if (Files.isRegularFile(p) && matcher.matches(dir.relativize(p))) {
            urls.add(p.toUri().toURL());
          }
        }
      } catch (IOException e) {
        errors.add("cannot list jars of " + dir + ": " + e.getMessage());
      }
    }
    return urls;
  }

  private static void loadClassService(
      ClassLoader loader,
      String name,
      String className,
      Map<ServiceName, Service> services,
      List<String> errors) {
    ServiceName serviceName;
    try {
      serviceName = ServiceName.parse(name);
    } catch (IllegalArgumentException e) {
      errors.add("service " + e.getMessage());
      return;
    }
    try {
      Class<?> type = Class.forName(className, true, loader);
      if (!Service.class.isAssignableFrom(type)) {
        errors.add(
            "service " + name + ": class " + className + " does not implement "
                + Service.class.getName());
        return;
      }
      Service service = (Service) newInstance(type);
      add(services, serviceName, service, errors);
    } catch (ClassNotFoundException e) {
      errors.add("service " + name + ": class " + className + " not found in the package's jars");
    } catch (ReflectiveOperationException | LinkageError | RuntimeException e) {
      errors.add("service " + name + ": cannot create " + className + ": " + describe(e));
    }
  }

  private static void loadAnnotated(
      ClassLoader loader, String className, Map<ServiceName, Service> services, List<String> errors) {
    Class<?> type;
    Object instance;
    try {
      type = Class.forName(className, true, loader);
      instance = newInstance(type);
    } catch (ClassNotFoundException e) {
      errors.add("class " + className + " not found in the package's jars");
      return;
    } catch (ReflectiveOperationException | LinkageError | RuntimeException e) {
      errors.add("cannot create " + className + ": " + describe(e));
      return;
    }
    int found = 0;
    for (Method method : type.getMethods()) {
      CohortService annotation = method.getAnnotation(CohortService.class);
      if (annotation == null) {
        continue;
      }
      found++;
      String where = className + "." + method.getName();
      if (Modifier.isStatic(method.getModifiers())
          || method.getReturnType() != Document.class
          || !List.of(method.getParameterTypes()).equals(List.of(Document.class, ServiceContext.class))) {
        errors.add(
            "service " + annotation.value() + ": method " + where
                + " must be 'public Document " + method.getName()
                + "(Document input, ServiceContext context)'");
        continue;
      }
      ServiceName name;
      try {
        name = ServiceName.parse(annotation.value());
      } catch (IllegalArgumentException e) {
        errors.add("method " + where + ": service " + e.getMessage());
        continue;
      }
      try {
        MethodHandle handle =
            MethodHandles.publicLookup().unreflect(method).bindTo(instance).asType(SERVICE_METHOD);
        add(services, name, new MethodService(handle), errors);
      } catch (IllegalAccessException e) {
        errors.add("service " + name + ": method " + where + " is not accessible: " + e.getMessage());
      }
    }
    if (found == 0) {
      errors.add("class " + className + " has no public method annotated @CohortService");
    }
  }

  private static void add(
      Map<ServiceName, Service> services, ServiceName name, Service service, List<String> errors) {
    if (services.putIfAbsent(name, service) != null) {
      errors.add("service " + name + " is declared twice");
    }
  }

  private static void checkAclTargets(PackageManifest manifest, List<String> errors) {
    for (String target : manifest.acls().keySet()) {
      boolean valid;
      try {
        valid = target.contains(":") ? ServiceName.parse(target) != null : ServiceName.validFolder(target);
      } catch (IllegalArgumentException e) {
        valid = false;
      }
      if (!valid) {
        errors.add("acls: '" + target + "' is neither a folder nor a service name");
      }
    }
  }

  /**
   * The manifest's {@code guarantees}, checked: each key a folder or a service of this package,
   * each value a guarantee's label.
   */
  private static Map<String, Guarantee> readGuarantees(
      PackageManifest manifest, java.util.Set<ServiceName> services, List<String> errors) {
    Map<String, Guarantee> result = new LinkedHashMap<>();
    manifest.guarantees().forEach(
        (target, label) -> {
          java.util.Optional<Guarantee> guarantee = Guarantee.ofLabel(label == null ? "" : label);
          if (guarantee.isEmpty()) {
            errors.add(
                "guarantees: '" + label + "' for " + target
                    + " is not a guarantee; write at-most-once, retry or exactly-once");
            return;
          }
          boolean known =
              target.contains(":")
                  ? services.stream().anyMatch(s -> s.toString().equals(target))
                  : services.stream().anyMatch(s -> inFolder(s, target));
          if (!known) {
            errors.add(
                "guarantees: '" + target + "' names no service of this package; the guarantee"
                    + " is ignored");
            return;
          }
          result.put(target, guarantee.get());
        });
    return result;
  }

  /** The guarantee of {@code name}: its own, else its nearest folder's, else at-most-once. */
  private static Guarantee guaranteeOf(ServiceName name, Map<String, Guarantee> guarantees) {
    Guarantee own = guarantees.get(name.toString());
    if (own != null) {
      return own;
    }
    return guarantees.entrySet().stream()
        .filter(e -> !e.getKey().contains(":") && inFolder(name, e.getKey()))
        .max(java.util.Comparator.comparingInt(e -> e.getKey().length()))
        .map(Map.Entry::getValue)
        .orElse(Guarantee.AT_MOST_ONCE);
  }

  private static boolean inFolder(ServiceName name, String folder) {
    String serviceFolder = name.folder();
    return serviceFolder.equals(folder) || serviceFolder.startsWith(folder + ".");
  }

  private static Object newInstance(Class<?> type) throws ReflectiveOperationException {
    try {
      return type.getConstructor().newInstance();
    } catch (NoSuchMethodException e) {
      throw new NoSuchMethodException("it has no public no-argument constructor");
    } catch (java.lang.reflect.InvocationTargetException e) {
      Throwable cause = e.getCause() == null ? e : e.getCause();
      throw new ReflectiveOperationException("its constructor threw " + describe(cause), cause);
    }
  }

  private static String describe(Throwable e) {
    return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
  }

  private static String firstLine(String s) {
    if (s == null) {
      return "unreadable";
    }
    int nl = s.indexOf('\n');
    return nl < 0 ? s : s.substring(0, nl);
  }

  /** A {@link CohortService} method, called through a method handle. */
  private record MethodService(MethodHandle handle) implements Service {

    @Override
    public Document invoke(Document input, ServiceContext context) throws Exception {
      try {
        return (Document) handle.invokeExact(input, context);
      } catch (Exception | Error e) {
        throw e;
      } catch (Throwable t) {
        throw new IllegalStateException(t);
      }
    }
  }
}
