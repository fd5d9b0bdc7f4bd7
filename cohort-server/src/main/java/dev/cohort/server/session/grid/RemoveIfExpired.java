package dev.cohort.server.session.grid;

import java.util.function.Function;
import org.infinispan.functional.EntryView.ReadWriteEntryView;
import org.infinispan.protostream.annotations.Proto;
import org.infinispan.protostream.annotations.ProtoTypeId;

/**
 * Removes a session if it is still expired where it lives (a call may have used it since the
 * sweeper looked).
 *
 * @param now the sweep's time, nanoseconds since the epoch
 */
@Proto
@ProtoTypeId(SessionSchema.REMOVE_IF_EXPIRED)
public record RemoveIfExpired(long now)
    implements Function<ReadWriteEntryView<String, StoredSession>, Boolean> {

  @Override
  public Boolean apply(ReadWriteEntryView<String, StoredSession> view) {
    StoredSession s = view.find().orElse(null);
    if (s != null && s.expiredAt(now)) {
      view.remove();
      return true;
    }
    return false;
  }
}
