package dev.cohort.server.pkg;

import dev.cohort.api.Service;

/**
 * A service ready to run.
 *
 * @param name its full name
 * @param service the implementation
 * @param packageName the package it came from
 * @param classLoader the package's class loader (session attributes of its classes resolve here)
 * @param guarantee what a crash during a guaranteed-delivery run of it means
 */
public record RegisteredService(
    ServiceName name,
    Service service,
    String packageName,
    ClassLoader classLoader,
    Guarantee guarantee) {

  /** A service with the default guarantee, {@link Guarantee#AT_MOST_ONCE}. */
  public RegisteredService(ServiceName name, Service service, String packageName, ClassLoader classLoader) {
    this(name, service, packageName, classLoader, Guarantee.AT_MOST_ONCE);
  }
}
