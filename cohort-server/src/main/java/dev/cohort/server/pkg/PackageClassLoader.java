package dev.cohort.server.pkg;

import java.net.URL;
import java.net.URLClassLoader;

/**
 * Loads one package's classes from its jars. Its parent sees only the JDK and {@code
 * dev.cohort.api}, so packages cannot reach into the server's internals or clash with its
 * libraries.
 */
public final class PackageClassLoader extends URLClassLoader {

  static {
    registerAsParallelCapable();
  }

  private final String packageName;

  PackageClassLoader(String packageName, URL[] jars, ClassLoader apiLoader) {
    super("package-" + packageName, jars, new ApiOnly(apiLoader));
    this.packageName = packageName;
  }

  /** The package whose classes this loader loads. */
  public String packageName() {
    return packageName;
  }

  /** Whether {@code type} was loaded by some package (used by the session attribute filter). */
  public static boolean isPackageClass(Class<?> type) {
    Class<?> t = type;
    while (t.isArray()) {
      t = t.getComponentType();
    }
    return t.getClassLoader() instanceof PackageClassLoader;
  }

  /** The JDK's classes plus the Cohort API, nothing else. */
  private static final class ApiOnly extends ClassLoader {

    private static final String API = "dev.cohort.api.";

    private final ClassLoader apiLoader;

    ApiOnly(ClassLoader apiLoader) {
      super("cohort-api", ClassLoader.getPlatformClassLoader());
      this.apiLoader = apiLoader;
    }

    @Override
    protected Class<?> findClass(String name) throws ClassNotFoundException {
      if (name.startsWith(API)) {
        return apiLoader.loadClass(name);
      }
      throw new ClassNotFoundException(name);
    }

    @Override
    protected URL findResource(String name) {
      return name.startsWith("dev/cohort/api/") ? apiLoader.getResource(name) : null;
    }
  }
}
