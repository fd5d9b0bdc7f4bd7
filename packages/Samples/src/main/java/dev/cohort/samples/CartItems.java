package dev.cohort.samples;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;

/**
 * The cart kept in the session. Being a class of this package, it is deserialized with the
 * package's class loader and is on the session allow-list automatically.
 */
public final class CartItems implements Serializable {

  private static final long serialVersionUID = 1L;

  private final ArrayList<String> items = new ArrayList<>();
  // The cart lines added by putItem; null in a cart stored before lines existed.
  private HashSet<String> lines = new HashSet<>();

  void add(String item) {
    items.add(item);
  }

  /** Adds {@code item} as cart line {@code line}, unless that line is in the cart already. */
  boolean put(String line, String item) {
    if (lines == null) {
      lines = new HashSet<>();
    }
    if (!lines.add(line)) {
      return false;
    }
    items.add(item);
    return true;
  }

  List<String> items() {
    return List.copyOf(items);
  }

  int count() {
    return items.size();
  }
}
