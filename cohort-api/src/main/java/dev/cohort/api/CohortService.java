package dev.cohort.api;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks a public method as a service. The method must have the signature {@code public Document
 * name(Document input, ServiceContext context)} (it may declare {@code throws Exception}) and its
 * class must have a public no-argument constructor. List the class under {@code classes} in the
 * package manifest.
 *
 * <pre>{@code
 * public final class Cart {
 *   @CohortService("samples.cart:addItem")
 *   public Document addItem(Document input, ServiceContext context) { ... }
 * }
 * }</pre>
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.METHOD)
public @interface CohortService {

  /** The full service name, {@code folder.subfolder:service}. */
  String value();
}
