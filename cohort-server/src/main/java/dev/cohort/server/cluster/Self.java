package dev.cohort.server.cluster;

/**
 * How this node presents itself to the cluster.
 *
 * @param name its logical host name ({@code scheduler.logical-hostname})
 * @param url where clients call it
 * @param adminUrl its admin port
 * @param version the Cohort version it runs
 */
public record Self(String name, String url, String adminUrl, String version) {}
