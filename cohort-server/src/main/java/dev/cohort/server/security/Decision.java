package dev.cohort.server.security;

/**
 * Whether a caller may run a service, and why.
 *
 * @param allowed the verdict
 * @param acl the ACL that decided
 * @param assignedAt the folder or service the ACL is assigned to ({@code (default)} when none is)
 * @param reason a sentence for the log and the admin API
 */
public record Decision(boolean allowed, String acl, String assignedAt, String reason) {}
