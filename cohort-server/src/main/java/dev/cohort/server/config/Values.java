package dev.cohort.server.config;

import java.util.Map;

/** The validated value of every setting, from which the config records are built. */
public final class Values {

  private final Map<String, Object> byKey;

  Values(Map<String, Object> byKey) {
    this.byKey = Map.copyOf(byKey);
  }

  @SuppressWarnings("unchecked")
  public <T> T get(Setting<T> setting) {
    Object value = byKey.get(setting.key());
    if (value == null) {
      throw new IllegalStateException("setting " + setting.key() + " is not in the catalog");
    }
    return (T) value;
  }
}
