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
      CreateSession.class
    },
    schemaPackageName = "cohort.session",
    schemaFileName = "cohort-session.proto",
    schemaFilePath = "proto")
public interface SessionSchema extends GeneratedSchema {}
