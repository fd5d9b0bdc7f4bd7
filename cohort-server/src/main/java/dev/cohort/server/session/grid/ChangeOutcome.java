package dev.cohort.server.session.grid;

import java.util.List;
import org.infinispan.protostream.annotations.Proto;
import org.infinispan.protostream.annotations.ProtoTypeId;

/**
 * What {@link ApplyChange} did.
 *
 * @param status {@link #SAVED_STATUS}, {@link #GONE_STATUS} or {@link #CONFLICT}
 * @param conflicts the attributes changed by someone else since the call read them
 */
@Proto
@ProtoTypeId(SessionSchema.CHANGE_OUTCOME)
public record ChangeOutcome(int status, List<String> conflicts) {

  static final int SAVED_STATUS = 0;
  static final int GONE_STATUS = 1;
  static final int CONFLICT = 2;
  static final ChangeOutcome SAVED = new ChangeOutcome(SAVED_STATUS, List.of());
  static final ChangeOutcome GONE = new ChangeOutcome(GONE_STATUS, List.of());

  public ChangeOutcome {
    conflicts = conflicts == null ? List.of() : List.copyOf(conflicts);
  }
}
