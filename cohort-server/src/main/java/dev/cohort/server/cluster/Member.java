package dev.cohort.server.cluster;

import java.time.Instant;

/**
 * A cluster member as the registry shows it.
 *
 * @param name its logical host name
 * @param url where clients call it
 * @param adminUrl its admin port
 * @param version the Cohort version it runs
 * @param state ready, offline, draining or stopped, as it last reported
 * @param startedAt when it registered (database clock)
 * @param lastHeartbeat its last heartbeat (database clock)
 * @param heartbeatAgeMillis how long ago that was, by the database clock
 * @param clockSkewMillis its clock minus the database's, as it last measured
 * @param live whether it heartbeats within the registry timeout and has not stopped
 * @param packagesFingerprint what it deploys
 * @param securityVersion the version of users, groups and ACLs it has loaded
 */
public record Member(
    String name,
    String url,
    String adminUrl,
    String version,
    String state,
    Instant startedAt,
    Instant lastHeartbeat,
    long heartbeatAgeMillis,
    long clockSkewMillis,
    boolean live,
    String packagesFingerprint,
    long securityVersion) {

  /** Whether clients should be sent here: live and ready (not offline, starting or draining). */
  public boolean serving() {
    return live && state.equals("ready");
  }
}
