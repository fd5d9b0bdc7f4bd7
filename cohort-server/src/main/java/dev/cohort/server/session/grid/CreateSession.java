package dev.cohort.server.session.grid;

import java.util.function.Function;
import org.infinispan.functional.EntryView.ReadWriteEntryView;
import org.infinispan.protostream.annotations.Proto;

/**
 * Adds a new session unless one with its id exists.
 *
 * @param session the new session
 */
@Proto
public record CreateSession(StoredSession session)
    implements Function<ReadWriteEntryView<String, StoredSession>, Boolean> {

  @Override
  public Boolean apply(ReadWriteEntryView<String, StoredSession> view) {
    if (view.find().isPresent()) {
      return false;
    }
    view.set(session);
    return true;
  }
}
