package dev.cohort.server.pkg;

import dev.cohort.api.Service;

/**
 * A service ready to run.
 *
 * @param name its full name
 * @param service the implementation
 * @param packageName the package it came from
 * @param classLoader the package's class loader (session attributes of its classes resolve here)
 */
public record RegisteredService(
    ServiceName name, Service service, String packageName, ClassLoader classLoader) {}
