package dev.cohort.server.security;

/**
 * A group.
 *
 * @param name the group name
 * @param description what it is for
 * @param builtIn built-in groups ({@code Administrators}, {@code Everybody}, {@code Anonymous})
 *     cannot be removed
 */
public record Group(String name, String description, boolean builtIn) {}
