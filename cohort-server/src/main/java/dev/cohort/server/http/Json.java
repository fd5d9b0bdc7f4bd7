package dev.cohort.server.http;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.util.JsonRecyclerPools;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.databind.ser.std.StdSerializer;
import com.fasterxml.jackson.databind.ser.std.ToStringSerializer;
import dev.cohort.api.Document;
import dev.cohort.server.invoke.CohortError;
import dev.cohort.server.invoke.ErrorCode;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;

/** JSON in and out, shared by the primary and admin ports. */
public final class Json {

  /**
   * Sets of Jackson's buffers kept for reuse: more than a loaded node's calls at once (dozens);
   * calls beyond it allocate their own.
   */
  static final int RECYCLED_BUFFER_SETS = 256;

  private static final ObjectMapper MAPPER = newMapper();

  private Json() {}

  private static ObjectMapper newMapper() {
    ObjectMapper mapper = new ObjectMapper();
    // Jackson's default pool keeps buffers per thread, and every call runs on a new virtual
    // thread: each response allocated a fresh 8 KB encoding buffer and a char buffer. A pool
    // shared by all threads reuses them; bounded, so that a burst of concurrent calls does not
    // leave a set of buffers per call behind (beyond the bound they are allocated and dropped).
    mapper.getFactory().setRecyclerPool(JsonRecyclerPools.newBoundedPool(RECYCLED_BUFFER_SETS));
    mapper.getFactory().setStreamReadConstraints(
        StreamReadConstraints.builder().maxNestingDepth(200).maxStringLength(50_000_000).build());
    mapper.enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS);
    mapper.disable(SerializationFeature.FAIL_ON_EMPTY_BEANS);
    mapper.disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS);
    mapper.registerModule(new com.fasterxml.jackson.datatype.jsr310.JavaTimeModule());
    SimpleModule module = new SimpleModule("cohort");
    module.addSerializer(Document.class, new DocumentSerializer());
    module.addSerializer(Path.class, ToStringSerializer.instance);
    mapper.registerModule(module);
    return mapper;
  }

  /** The shared mapper (thread-safe). */
  public static ObjectMapper mapper() {
    return MAPPER;
  }

  /**
   * Parses a request body that must be a JSON object. An empty body is an empty document.
   *
   * @throws CohortError {@code COH-BAD-JSON} or {@code COH-NOT-OBJECT}
   */
  public static Document readDocument(byte[] body) {
    if (body.length == 0) {
      return Document.create();
    }
    try (JsonParser parser = MAPPER.createParser(body)) {
      JsonToken first = parser.nextToken();
      if (first == null) {
        return Document.create();
      }
      if (first != JsonToken.START_OBJECT) {
        throw new CohortError(
            ErrorCode.NOT_AN_OBJECT,
            "the request body must be a JSON object like {\"name\":\"value\"}, not "
                + describe(first));
      }
      @SuppressWarnings("unchecked")
      Map<String, Object> map = MAPPER.readValue(parser, Map.class);
      if (parser.nextToken() != null) {
        throw new CohortError(
            ErrorCode.BAD_JSON, "the request body has more after the JSON object" + at(parser));
      }
      return Document.from(map);
    } catch (JsonProcessingException e) {
      throw new CohortError(
          ErrorCode.BAD_JSON,
          "the request body is not valid JSON" + at(e) + ": " + e.getOriginalMessage());
    } catch (IOException e) {
      throw new CohortError(ErrorCode.BAD_JSON, "the request body could not be read");
    }
  }

  private static String describe(JsonToken token) {
    return switch (token) {
      case START_ARRAY -> "an array";
      case VALUE_STRING -> "a string";
      case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> "a number";
      case VALUE_TRUE, VALUE_FALSE -> "a boolean";
      case VALUE_NULL -> "null";
      default -> token.name().toLowerCase(java.util.Locale.ROOT);
    };
  }

  private static String at(JsonProcessingException e) {
    return e.getLocation() == null
        ? ""
        : " at line " + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr();
  }

  private static String at(JsonParser parser) {
    return " at line "
        + parser.currentLocation().getLineNr()
        + ", column "
        + parser.currentLocation().getColumnNr();
  }

  /** Serializes {@code value} (a {@link Document}, a record, a map, ...). */
  public static byte[] write(Object value) {
    try {
      return MAPPER.writeValueAsBytes(value);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot serialize " + value.getClass().getName(), e);
    }
  }

  /** Writes a document field by field, without copying it. */
  private static final class DocumentSerializer extends StdSerializer<Document> {

    private static final long serialVersionUID = 1L;

    DocumentSerializer() {
      super(Document.class);
    }

    @Override
    public void serialize(Document doc, JsonGenerator gen, SerializerProvider provider)
        throws IOException {
      gen.writeStartObject();
      for (String name : doc.names()) {
        gen.writeFieldName(name);
        provider.defaultSerializeValue(doc.value(name).orElse(null), gen);
      }
      gen.writeEndObject();
    }
  }
}
