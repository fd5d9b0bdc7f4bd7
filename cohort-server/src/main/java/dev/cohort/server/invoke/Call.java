package dev.cohort.server.invoke;

import dev.cohort.api.Caller;
import dev.cohort.api.Document;
import dev.cohort.server.pkg.RegisteredService;
import dev.cohort.server.session.SessionData;
import java.util.Optional;

/**
 * One top-level service call, authenticated and authorized.
 *
 * @param service what to run
 * @param input the caller's document
 * @param caller who is calling
 * @param session the caller's session, if it has one; otherwise one is created when the service
 *     first asks for it
 * @param requestId the request id
 */
public record Call(
    RegisteredService service,
    Document input,
    Caller caller,
    Optional<SessionData> session,
    String requestId) {}
