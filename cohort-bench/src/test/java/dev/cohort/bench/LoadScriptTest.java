package dev.cohort.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Optional;
import org.junit.jupiter.api.Test;

class LoadScriptTest {

  private static final Target CART =
      new Target(
          "addItem", "cart", "/invoke/samples.cart/addItem", "{\"item\":\"apple\"}",
          Optional.of("Basic YmVuY2g6cHc="), true, 20, "\"count\":");

  @Test
  void fillsInEveryPlaceholder() {
    String script = LoadScript.render(CART);

    assertThat(script)
        .contains("local path = [==[/invoke/samples.cart/addItem]==]")
        .contains("local body = [==[{\"item\":\"apple\"}]==]")
        .contains("local authorization = [==[Basic YmVuY2g6cHc=]==]")
        .contains("local expect = [==[\"count\":]==]")
        .contains("local use_sessions = true")
        .contains("local calls_per_session = 20")
        .doesNotContain("${");
  }

  @Test
  void withoutCredentialsSendsNoAuthorization() {
    Target bare = new Target("reference", "bare", "/json", "{}", Optional.empty(), false, 0, "ok");

    assertThat(LoadScript.render(bare))
        .contains("local authorization = [==[]==]")
        .contains("local use_sessions = false");
  }

  @Test
  void sendsEachThreadToItsPortAndEndsSessionsWithALogoutWhenAsked() {
    Target cart =
        new Target(
            "addItem", "cart", "/invoke/samples.cart/addItem", "{\"item\":\"apple\"}",
            Optional.of("Basic YmVuY2g6cHc="), true, 20, "\"count\":", true);

    assertThat(LoadScript.render(cart, java.util.List.of(41001, 41002)))
        .contains("local ports = { 41001, 41002 }")
        .contains("local log_out = true")
        .doesNotContain("${");
    assertThat(LoadScript.render(CART)).contains("local ports = {  }").contains("local log_out = false");
  }

  @Test
  void aLogoutNeedsSessionsThatAreDropped() {
    assertThatThrownBy(
            () -> new Target("x", "x", "/x", "{}", Optional.empty(), true, 0, "ok", true))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("logOut");
  }

  @Test
  void refusesTextThatWouldEndTheLuaString() {
    Target evil =
        new Target("x", "x", "/json", "{\"a\":\"]==]\"}", Optional.empty(), false, 0, "ok");

    assertThatThrownBy(() -> LoadScript.render(evil))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("]==]");
  }
}
