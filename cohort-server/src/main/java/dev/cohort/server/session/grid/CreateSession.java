package dev.cohort.server.session.grid;

import java.util.function.Function;
import org.infinispan.functional.EntryView.ReadWriteEntryView;
import org.infinispan.protostream.annotations.Proto;
import org.infinispan.protostream.annotations.ProtoTypeId;

/**
 * Adds a new session unless one with its id exists (a retry of the same creation succeeds). An
 * owner that finds this creation done already writes the session anyway, backups included.
 *
 * @param session the new session
 */
@Proto
@ProtoTypeId(SessionSchema.CREATE_SESSION)
public record CreateSession(StoredSession session)
    implements Function<ReadWriteEntryView<String, StoredSession>, Boolean> {

  @Override
  public Boolean apply(ReadWriteEntryView<String, StoredSession> view) {
    StoredSession existing = view.find().orElse(null);
    if (existing == null) {
      view.set(session);
      return true;
    }
    boolean same =
        existing.csrfToken().equals(session.csrfToken())
            && existing.user().equals(session.user())
            && existing.createdAt() == session.createdAt();
    if (same) {
      // This creation, found already: retried after a topology change, or, on a backup owner that
      // is new during a rebalance, the primary's copy read from the previous owners. Write it
      // anyway: such a backup holds only what writes give it once state transfer has passed, and
      // without this write it would never hold the session (seen: a member that had joined
      // moments before answered "gone" for a session it had just created).
      view.set(existing);
    }
    return same;
  }
}
