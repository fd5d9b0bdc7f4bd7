package dev.cohort.samples;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;

/**
 * The cart kept in the session. Being a class of this package, it is deserialized with the
 * package's class loader and is on the session allow-list automatically.
 */
public final class CartItems implements Serializable {

  private static final long serialVersionUID = 1L;

  private final ArrayList<String> items = new ArrayList<>();

  void add(String item) {
    items.add(item);
  }

  List<String> items() {
    return List.copyOf(items);
  }

  int count() {
    return items.size();
  }
}
