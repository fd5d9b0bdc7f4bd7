package dev.cohort.server.pkg;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class ServiceNameTest {

  @Test
  void parsesAndPrints() {
    ServiceName n = ServiceName.parse("samples.cart:addItem");
    assertThat(n.folder()).isEqualTo("samples.cart");
    assertThat(n.service()).isEqualTo("addItem");
    assertThat(n).hasToString("samples.cart:addItem");
  }

  @Test
  void fromInvokePath() {
    assertThat(ServiceName.fromPath("samples.cart/addItem")).hasValue(ServiceName.parse("samples.cart:addItem"));
    assertThat(ServiceName.fromPath("samples/cart/addItem")).isEmpty();
    assertThat(ServiceName.fromPath("samples..cart/addItem")).isEmpty();
    assertThat(ServiceName.fromPath("../etc/passwd")).isEmpty();
    assertThat(ServiceName.fromPath("samples.cart/")).isEmpty();
  }

  @Test
  void rejectsMalformedNames() {
    assertThatThrownBy(() -> ServiceName.parse("nocolon")).hasMessageContaining("folder.subfolder:service");
    assertThatThrownBy(() -> ServiceName.parse("a:b:c")).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> ServiceName.parse("1a:b")).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> ServiceName.parse("a.:b")).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void aclTargetsGoFromTheServiceUpToTheTopFolder() {
    assertThat(ServiceName.parse("a.b.c:s").aclTargets()).containsExactly("a.b.c:s", "a.b.c", "a.b", "a");
  }
}
