package dev.cohort.server.cluster;

/**
 * How this node presents itself to the cluster.
 *
 * @param name its logical host name ({@code scheduler.logical-hostname})
 * @param url where clients call it
 * @param adminUrl its admin port
 * @param version the Cohort version it runs
 * @param packagesFingerprint what it deploys ({@code ServiceRegistry.fingerprint()})
 */
public record Self(
    String name, String url, String adminUrl, String version, String packagesFingerprint) {}
