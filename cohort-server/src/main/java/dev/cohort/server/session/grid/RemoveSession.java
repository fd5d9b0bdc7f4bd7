package dev.cohort.server.session.grid;

import java.util.function.Function;
import org.infinispan.functional.EntryView.ReadWriteEntryView;
import org.infinispan.protostream.annotations.Proto;
import org.infinispan.protostream.annotations.ProtoTypeId;

/**
 * Removes a session (logout) from every copy, including a copy that waits on an owner's disk
 * ({@code cluster.max-sessions-in-memory}). A function rather than a plain remove: Infinispan
 * loads a function's entry on every owner, so each owner finds its copy, in memory or on disk,
 * and deletes it. A plain remove without its return value loads nothing, does nothing on an owner
 * whose copy is on disk, and leaves that copy there to be read again: a logged-out session would
 * come back.
 */
@Proto
@ProtoTypeId(SessionSchema.REMOVE_SESSION)
public record RemoveSession() implements Function<ReadWriteEntryView<String, StoredSession>, Boolean> {

  @Override
  public Boolean apply(ReadWriteEntryView<String, StoredSession> view) {
    if (view.find().isPresent()) {
      view.remove();
      return true;
    }
    return false;
  }
}
