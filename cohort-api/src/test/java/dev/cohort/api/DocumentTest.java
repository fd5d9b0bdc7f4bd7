package dev.cohort.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigDecimal;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class DocumentTest {

  @Test
  void normalizesMapsListsAndIntegers() {
    Document d = Document.from(Map.of("n", 3, "m", Map.of("k", List.of(1, "x"))));

    assertThat(d.requireLong("n")).isEqualTo(3L);
    assertThat(d.document("m").orElseThrow().list("k")).containsExactly(1L, "x");
    assertThat(d.toMap()).isEqualTo(Map.of("n", 3L, "m", Map.of("k", List.of(1L, "x"))));
  }

  @Test
  void requireNamesTheMissingField() {
    assertThatThrownBy(() -> Document.create().requireString("item"))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("'item'");
  }

  @Test
  void wrongTypeIsInvalidInputNamingTheField() {
    Document d = Document.of("qty", "three");
    assertThatThrownBy(() -> d.requireLong("qty"))
        .isInstanceOf(InvalidInputException.class)
        .hasMessage("field 'qty' must be a number, got a string");
  }

  @Test
  void fractionIsNotAWholeNumberButAWholeDecimalIs() {
    assertThat(Document.of("n", new BigDecimal("2.0")).requireLong("n")).isEqualTo(2L);
    assertThatThrownBy(() -> Document.of("n", 2.5).requireLong("n"))
        .isInstanceOf(InvalidInputException.class);
  }

  @Test
  void rejectsValuesJsonCannotCarry() {
    assertThatThrownBy(() -> Document.of("t", new Object()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'t' holds a java.lang.Object");
  }

  @Test
  void listsAreReadOnlyViews() {
    Document d = Document.of("l", List.of("a"));
    assertThatThrownBy(() -> d.list("l").add("b")).isInstanceOf(UnsupportedOperationException.class);
    assertThat(Document.create().list("absent")).isEmpty();
  }
}
