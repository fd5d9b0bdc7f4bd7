package dev.cohort.api;

/**
 * A service: one named operation that takes a document and returns a document.
 *
 * <p>Implement this interface in a public class with a public no-argument constructor and list
 * it in the package manifest under {@code services}. One instance serves all requests
 * concurrently, so keep per-call state in local variables or in the {@link Session}.
 *
 * <p>Alternatively, annotate public methods of a class with {@link CohortService} and list the
 * class under {@code classes} in the manifest.
 */
@FunctionalInterface
public interface Service {

  /**
   * Runs the service.
   *
   * @param input the caller's JSON object, never {@code null}
   * @param context the session, the caller, a logger
   * @return the result, sent to the caller as a JSON object; never {@code null}
   * @throws InvalidInputException when the input is wrong (the caller gets 400 and the message)
   * @throws ServiceException for a failure the caller may see the message of (500)
   * @throws Exception anything else: the caller gets 500 with a request id, the log the trace
   */
  Document invoke(Document input, ServiceContext context) throws Exception;
}
