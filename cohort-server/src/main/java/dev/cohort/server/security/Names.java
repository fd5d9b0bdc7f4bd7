package dev.cohort.server.security;

import static dev.cohort.server.security.SecurityStoreException.Kind.INVALID;

import java.util.regex.Pattern;

/** What the security store accepts as names of users, groups, ACLs and ACL targets. */
final class Names {

  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_.@-]{1,64}");
  private static final String IDENTIFIER = "[A-Za-z_][A-Za-z0-9_]*";
  private static final Pattern TARGET =
      Pattern.compile(IDENTIFIER + "(\\." + IDENTIFIER + ")*(:" + IDENTIFIER + ")?");
  private static final int MAX_TARGET_LENGTH = 255;
  private static final int MAX_DESCRIPTION_LENGTH = 512;

  private Names() {}

  /** {@code name} if it is a valid user, group or ACL name. */
  static String require(String what, String name) {
    if (name == null || !NAME.matcher(name).matches()) {
      throw new SecurityStoreException(
          INVALID,
          "invalid "
              + what
              + " name '"
              + name
              + "': use 1-64 letters, digits and the characters _ . @ -");
    }
    return name;
  }

  /** {@code target} if it is a folder ({@code a.b.c}) or a service ({@code a.b:c}). */
  static String requireTarget(String target) {
    if (target == null
        || target.length() > MAX_TARGET_LENGTH
        || !TARGET.matcher(target).matches()) {
      throw new SecurityStoreException(
          INVALID,
          "invalid ACL target '"
              + target
              + "': name a folder like 'samples.cart' or a service like 'samples.cart:addItem'"
              + " (identifiers of letters, digits and _, at most "
              + MAX_TARGET_LENGTH
              + " characters)");
    }
    return target;
  }

  static String requireDescription(String description) {
    if (description == null || description.length() > MAX_DESCRIPTION_LENGTH) {
      throw new SecurityStoreException(
          INVALID, "a description must be at most " + MAX_DESCRIPTION_LENGTH + " characters");
    }
    return description;
  }
}
