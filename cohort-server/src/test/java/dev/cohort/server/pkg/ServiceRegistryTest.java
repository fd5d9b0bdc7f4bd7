package dev.cohort.server.pkg;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cohort.api.Caller;
import dev.cohort.api.Document;
import dev.cohort.api.ServiceContext;
import dev.cohort.api.Session;
import dev.cohort.server.testing.LogCapture;
import dev.cohort.server.testing.TestPackages;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ServiceRegistryTest {

  @TempDir Path packages;

  @Test
  void loadsClassAndAnnotatedServicesInTheirOwnClassLoader() throws Exception {
    TestPackages.deployTest(packages);
    try (ServiceRegistry registry = ServiceRegistry.load(packages)) {
      LoadedPackage test = registry.packages().getFirst();
      assertThat(test.state()).isEqualTo(LoadedPackage.State.LOADED);
      assertThat(test.errors()).isEmpty();
      assertThat(test.services()).contains("test.echo:echo", "test.fail:boom", "test.session:append");

      RegisteredService echo = registry.find(ServiceName.parse("test.echo:echo")).orElseThrow();
      assertThat(echo.service().getClass().getClassLoader()).isInstanceOf(PackageClassLoader.class);
      assertThat(PackageClassLoader.isPackageClass(echo.service().getClass())).isTrue();
      assertThat(PackageClassLoader.isPackageClass(String.class)).isFalse();
      Document out = echo.service().invoke(Document.of("a", 1), context());
      assertThat(out.document("input").orElseThrow().requireLong("a")).isEqualTo(1);

      RegisteredService ping = registry.find(ServiceName.parse("test.open:ping")).orElseThrow();
      assertThat(ping.service().invoke(Document.create(), context()).booleanValue("pong")).hasValue(true);
      assertThat(registry.aclFor("test.admin")).hasValue("Administrators");
    }
  }

  @Test
  void aBadManifestFailsThatPackageOnlyAndSaysWhy() throws Exception {
    TestPackages.deployTest(packages);
    write("Bad", "name: Bad\nversion: 1\nservices: [not, a, map]\n");
    write("Unknown", "name: Unknown\nversion: 1\nservcies: {}\n");
    write("Nameless", "version: 1\n");
    Files.createDirectories(packages.resolve("Empty"));
    try (LogCapture log = new LogCapture();
        ServiceRegistry registry = ServiceRegistry.load(packages)) {
      assertThat(state(registry, "Test")).isEqualTo(LoadedPackage.State.LOADED);
      assertThat(errors(registry, "Bad")).contains("bad package.yaml");
      assertThat(errors(registry, "Unknown")).contains("servcies");
      assertThat(errors(registry, "Nameless")).contains("no 'name'");
      assertThat(errors(registry, "Empty")).contains("no package.yaml");
      assertThat(log.messages()).anySatisfy(m -> assertThat(m).contains("COH.0100.0002E", "Bad"));
      assertThat(registry.find(ServiceName.parse("test.echo:echo"))).isPresent();
    }
  }

  @Test
  void missingClassWrongTypeAndBadSignatureAreReportedAndTheRestLoads() throws Exception {
    TestPackages.deploy(
        packages,
        "Mixed",
        """
        name: Mixed
        version: 1.0.0
        services:
          mixed.ok:echo: dev.cohort.server.testpkg.Echo
          mixed.bad:missing: dev.cohort.server.testpkg.DoesNotExist
          mixed.bad:notAService: dev.cohort.server.testpkg.Open
          not-a-name: dev.cohort.server.testpkg.Echo
        classes:
          - dev.cohort.server.testpkg.Echo
        """,
        "dev/cohort/server/testpkg/");
    try (ServiceRegistry registry = ServiceRegistry.load(packages)) {
      LoadedPackage mixed = registry.packages().getFirst();
      assertThat(mixed.state()).isEqualTo(LoadedPackage.State.PARTIAL);
      assertThat(mixed.services()).containsExactly("mixed.ok:echo");
      assertThat(String.join("\n", mixed.errors()))
          .contains("class dev.cohort.server.testpkg.DoesNotExist not found")
          .contains("does not implement dev.cohort.api.Service")
          .contains("'not-a-name' is not a service name")
          .contains("has no public method annotated @CohortService");
    }
  }

  @Test
  void directoryAndManifestNamesMustMatchAndJarsMustExist() throws Exception {
    write("Dir", "name: Other\nversion: 1\n");
    write("NoJars", "name: NoJars\nversion: 1\nservices:\n  a.b:c: x.Y\n");
    try (ServiceRegistry registry = ServiceRegistry.load(packages)) {
      assertThat(errors(registry, "Dir")).contains("differs from the directory name");
      assertThat(errors(registry, "NoJars")).contains("no jar matches").contains("build the package first");
    }
  }

  @Test
  void aServiceNameTakenByAnEarlierPackageIsNotDeployedTwice() throws Exception {
    TestPackages.deploy(packages, "A", "name: A\nversion: 1\nservices:\n  dup.x:echo: dev.cohort.server.testpkg.Echo\n", "dev/cohort/server/testpkg/");
    TestPackages.deploy(packages, "B", "name: B\nversion: 1\nservices:\n  dup.x:echo: dev.cohort.server.testpkg.Echo\n  dup.y:echo: dev.cohort.server.testpkg.Echo\n", "dev/cohort/server/testpkg/");
    try (ServiceRegistry registry = ServiceRegistry.load(packages)) {
      assertThat(registry.find(ServiceName.parse("dup.x:echo")).orElseThrow().packageName()).isEqualTo("A");
      assertThat(state(registry, "B")).isEqualTo(LoadedPackage.State.PARTIAL);
      assertThat(errors(registry, "B")).contains("already provided by package A");
    }
  }

  @Test
  void aMissingPackagesDirectoryMeansNoServices() {
    try (ServiceRegistry registry = ServiceRegistry.load(packages.resolve("absent"))) {
      assertThat(registry.packages()).isEmpty();
      assertThat(registry.serviceCount()).isZero();
    }
  }

  private void write(String name, String manifest) throws IOException {
    Path dir = packages.resolve(name);
    Files.createDirectories(dir.resolve("lib"));
    Files.writeString(dir.resolve("package.yaml"), manifest);
  }

  private static LoadedPackage.State state(ServiceRegistry registry, String name) {
    return registry.packages().stream().filter(p -> p.name().equals(name)).findFirst().orElseThrow().state();
  }

  private static String errors(ServiceRegistry registry, String name) {
    return String.join("\n", registry.packages().stream().filter(p -> p.name().equals(name)).findFirst().orElseThrow().errors());
  }

  private static ServiceContext context() {
    return new ServiceContext() {
      @Override
      public dev.cohort.api.ApplicationAttributes application() {
        throw new UnsupportedOperationException();
      }

      @Override
      public Session session() {
        throw new UnsupportedOperationException();
      }

      @Override
      public Caller caller() {
        return new Caller("tester", Set.of("Everybody"));
      }

      @Override
      public System.Logger logger() {
        return System.getLogger("test");
      }

      @Override
      public String requestId() {
        return "r1";
      }

      @Override
      public String nodeName() {
        return "n1";
      }

      @Override
      public String serviceName() {
        return "x:y";
      }

      @Override
      public java.sql.Connection transaction() {
        throw new UnsupportedOperationException();
      }
    };
  }
}
