package dev.cohort.server.session.grid;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.infinispan.protostream.descriptors.Descriptor;
import org.infinispan.protostream.ProtobufUtil;
import org.infinispan.protostream.SerializationContext;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** What the session cache's own types look like on the wire. */
class SessionSchemaTest {

  private static SerializationContext context;

  @BeforeAll
  static void register() {
    context = ProtobufUtil.newSerializationContext();
    new SessionSchemaImpl().register(context);
  }

  @Test
  void aWriteAndItsOutcomeTravelWithTheirTypeIdsNotTheirNames() throws Exception {
    var change =
        new ApplyChange(42, 7, List.of(new ApplyChange.Update("cart", 3, false, new byte[] {1, 2, 3})));
    var outcome = new ChangeOutcome(ChangeOutcome.SAVED_STATUS, List.of());

    byte[] changeBytes = ProtobufUtil.toWrappedByteArray(context, change);
    byte[] outcomeBytes = ProtobufUtil.toWrappedByteArray(context, outcome);

    // Without type ids every message carries its full name (and the receiver looks it up by name).
    assertThat(new String(changeBytes, StandardCharsets.ISO_8859_1)).doesNotContain("ApplyChange");
    assertThat(new String(outcomeBytes, StandardCharsets.ISO_8859_1)).doesNotContain("ChangeOutcome");

    ApplyChange read = (ApplyChange) ProtobufUtil.fromWrappedByteArray(context, changeBytes);
    assertThat(read.getChangeId()).isEqualTo(42);
    assertThat(read.getAccessedAt()).isEqualTo(7);
    assertThat(read.getUpdates()).singleElement().satisfies(u -> {
      assertThat(u.name()).isEqualTo("cart");
      assertThat(u.baseVersion()).isEqualTo(3);
      assertThat(u.bytes()).containsExactly(1, 2, 3);
    });
    Object readOutcome = ProtobufUtil.fromWrappedByteArray(context, outcomeBytes);
    assertThat(readOutcome).isEqualTo(outcome);
  }

  @Test
  void everyTypeHasItsOwnIdOutsideInfinispansRange() {
    var file = context.getFileDescriptors().get(new SessionSchemaImpl().getProtoFileName());
    List<Descriptor> messages = new ArrayList<>();
    file.getMessageTypes().forEach(m -> addWithNested(m, messages));
    assertThat(messages)
        .extracting(Descriptor::getName)
        .contains("StoredSession", "StoredAttribute", "ApplyChange", "Update", "ChangeOutcome");
    assertThat(messages)
        .extracting(m -> m.getTypeId())
        .doesNotContainNull()
        .doesNotHaveDuplicates()
        .allSatisfy(id -> assertThat(id).isGreaterThan(65_535));
  }

  private static void addWithNested(Descriptor message, List<Descriptor> all) {
    all.add(message);
    message.getNestedTypes().forEach(m -> addWithNested(m, all));
  }
}
