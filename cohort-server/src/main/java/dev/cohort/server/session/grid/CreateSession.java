package dev.cohort.server.session.grid;

import java.util.function.Function;
import org.infinispan.functional.EntryView.ReadWriteEntryView;
import org.infinispan.protostream.annotations.Proto;

/**
 * Adds a new session unless one with its id exists (a retry of the same creation succeeds).
 *
 * @param session the new session
 */
@Proto
public record CreateSession(StoredSession session)
    implements Function<ReadWriteEntryView<String, StoredSession>, Boolean> {

  @Override
  public Boolean apply(ReadWriteEntryView<String, StoredSession> view) {
    StoredSession existing = view.find().orElse(null);
    if (existing != null) {
      // The same creation retried after a topology change: same random CSRF token, user and time.
      return existing.csrfToken().equals(session.csrfToken())
          && existing.user().equals(session.user())
          && existing.createdAt() == session.createdAt();
    }
    view.set(session);
    return true;
  }
}
