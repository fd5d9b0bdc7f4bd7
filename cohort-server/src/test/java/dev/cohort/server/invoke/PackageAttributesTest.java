package dev.cohort.server.invoke;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cohort.server.session.AppAttributeStore;
import dev.cohort.server.session.AttributeCodec;
import java.util.ArrayList;
import org.junit.jupiter.api.Test;

class PackageAttributesTest {

  private final AppAttributeStore store = AppAttributeStore.local();
  private final AttributeCodec codec = new AttributeCodec(c -> false);
  private final ClassLoader loader = getClass().getClassLoader();

  @Test
  void eachPackageSeesOnlyItsOwnAttributes() {
    PackageAttributes orders = new PackageAttributes(store, codec, "Orders", loader);
    PackageAttributes billing = new PackageAttributes(store, codec, "Billing", loader);

    orders.put("rate", 1.08);
    billing.put("rate", 2.5);

    assertThat(orders.get("rate", Double.class)).contains(1.08);
    assertThat(billing.get("rate", Double.class)).contains(2.5);
    assertThat(orders.names()).containsExactly("rate");
    billing.remove("rate");
    assertThat(billing.get("rate")).isEmpty();
    assertThat(orders.get("rate")).isPresent();
  }

  @Test
  void valuesAreCopiesSoChangesNeedAPut() {
    PackageAttributes attrs = new PackageAttributes(store, codec, "Orders", loader);
    ArrayList<String> list = new ArrayList<>();
    attrs.put("list", list);
    list.add("changed after put");
    assertThat(attrs.get("list", ArrayList.class).orElseThrow()).isEmpty();
  }

  @Test
  void aNonSerializableValueIsRefusedWithItsName() {
    PackageAttributes attrs = new PackageAttributes(store, codec, "Orders", loader);
    assertThatThrownBy(() -> attrs.put("thing", new Object()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("thing")
        .hasMessageContaining("java.lang.Object");
  }
}
