package dev.cohort.server.session.grid;

import org.infinispan.protostream.GeneratedSchema;
import org.infinispan.protostream.annotations.ProtoSchema;

/** The ProtoStream schema of what the session cache stores and the functions it runs. */
@ProtoSchema(
    includeClasses = {
      StoredSession.class,
      StoredSession.StoredAttribute.class,
      ApplyChange.class,
      ApplyChange.Update.class,
      ChangeOutcome.class,
      RemoveIfExpired.class,
      CreateSession.class,
      RemoveSession.class
    },
    schemaPackageName = "cohort.session",
    schemaFileName = "cohort-session.proto",
    schemaFilePath = "proto")
public interface SessionSchema extends GeneratedSchema {

  // Type ids: a message sent or stored on its own (a function, a response, a stored session)
  // carries its type id instead of its full name, which would otherwise be written, read and
  // looked up by name in every cluster message. Infinispan keeps 0..65535 for itself; ids below
  // 2^21 take three bytes. Once released, an id must never change or be reused.
  int STORED_SESSION = 170_001;
  int STORED_ATTRIBUTE = 170_002;
  int APPLY_CHANGE = 170_003;
  int UPDATE = 170_004;
  int CHANGE_OUTCOME = 170_005;
  int REMOVE_IF_EXPIRED = 170_006;
  int CREATE_SESSION = 170_007;
  int REMOVE_SESSION = 170_008;
}
