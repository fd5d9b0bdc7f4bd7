package dev.cohort.server.invoke;

import dev.cohort.api.Document;
import dev.cohort.server.session.SessionData;
import java.util.Optional;

/**
 * What a successful call returns.
 *
 * @param output the service's result
 * @param session the session the caller should use from now on; empty if it has none or the
 *     service ended it
 */
public record Outcome(Document output, Optional<SessionData> session) {}
