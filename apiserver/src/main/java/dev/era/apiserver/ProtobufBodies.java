package dev.era.apiserver;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.protobuf.ByteString;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import com.google.protobuf.Parser;
import io.kubernetes.client.proto.IntStr;
import io.kubernetes.client.proto.Meta;
import io.kubernetes.client.proto.Resource;
import io.kubernetes.client.proto.Runtime;
import io.kubernetes.client.proto.V1;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Request bodies in the API server's protobuf encoding, which client-go (kubectl's typed commands
 * such as {@code kubectl create configmap}) sends for built-in kinds: the {@code k8s\0} magic, then
 * a {@code runtime.Unknown} naming the kind and carrying the object's message. The messages are
 * read with Kubernetes' generated classes and turned into the JSON the API server would write for
 * the same object (omitted empty fields, RFC 3339 times, base64 bytes), which is what the store
 * keeps. Answers stay JSON, which clients accept whatever they asked for.
 */
final class ProtobufBodies {
  static final String CONTENT_TYPE = "application/vnd.kubernetes.protobuf";
  private static final byte[] MAGIC = {'k', '8', 's', 0};
  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
  private static final DateTimeFormatter MICRO_TIME =
      DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSSSSX").withZone(ZoneOffset.UTC);

  /** The kinds whose messages are read, by apiVersion/kind. */
  private static final Map<String, Parser<? extends Message>> MESSAGES =
      Map.of(
          "v1/ConfigMap", V1.ConfigMap.parser(),
          "v1/Secret", V1.Secret.parser(),
          "v1/Namespace", V1.Namespace.parser(),
          "v1/ServiceAccount", V1.ServiceAccount.parser(),
          "v1/Event", V1.Event.parser());

  private ProtobufBodies() {}

  static boolean isProtobuf(String contentType) {
    return contentType != null
        && contentType.split(";")[0].trim().toLowerCase(Locale.ROOT).equals(CONTENT_TYPE);
  }

  /**
   * The object a protobuf body carries, as JSON; 415 for a kind it cannot read, 400 for a broken
   * body.
   */
  static ObjectNode read(byte[] body) {
    if (body.length < MAGIC.length || !Arrays.equals(Arrays.copyOf(body, MAGIC.length), MAGIC)) {
      throw ApiException.badRequest("a protobuf body must start with the k8s\\0 envelope");
    }
    try {
      Runtime.Unknown envelope =
          Runtime.Unknown.parseFrom(Arrays.copyOfRange(body, MAGIC.length, body.length));
      String apiVersion = envelope.getTypeMeta().getApiVersion();
      String kind = envelope.getTypeMeta().getKind();
      Parser<? extends Message> parser = MESSAGES.get(apiVersion + "/" + kind);
      if (parser == null) {
        throw ApiException.unsupportedMediaType(
            "the embedded API server reads protobuf bodies of "
                + String.join(", ", MESSAGES.keySet().stream().sorted().toList())
                + ", not "
                + apiVersion
                + "/"
                + kind
                + "; send JSON");
      }
      ObjectNode object = NODES.objectNode().put("apiVersion", apiVersion).put("kind", kind);
      object.setAll(message(parser.parseFrom(envelope.getRaw())));
      return object;
    } catch (InvalidProtocolBufferException e) {
      throw ApiException.badRequest("the protobuf body cannot be read: " + e.getMessage());
    }
  }

  /** A message as the API server writes the object it stands for in JSON. */
  private static ObjectNode message(Message message) {
    ObjectNode json = NODES.objectNode();
    for (Map.Entry<FieldDescriptor, Object> field : message.getAllFields().entrySet()) {
      FieldDescriptor descriptor = field.getKey();
      JsonNode value;
      if (descriptor.isMapField()) {
        ObjectNode map = NODES.objectNode();
        for (Object entry : (List<?>) field.getValue()) {
          Message mapEntry = (Message) entry;
          FieldDescriptor valueField = mapEntry.getDescriptorForType().findFieldByName("value");
          map.set(
              String.valueOf(
                  mapEntry.getField(mapEntry.getDescriptorForType().findFieldByName("key"))),
              value(valueField, mapEntry.getField(valueField)));
        }
        value = map;
      } else if (descriptor.isRepeated()) {
        ArrayNode list = NODES.arrayNode();
        ((List<?>) field.getValue()).forEach(item -> list.add(value(descriptor, item)));
        value = list;
      } else {
        value = value(descriptor, field.getValue());
      }
      if (value != null) {
        json.set(descriptor.getName(), value);
      }
    }
    return json;
  }

  /** One value; null where the API server would omit it (empty strings, zeros, zero times). */
  private static JsonNode value(FieldDescriptor field, Object value) {
    return switch (field.getJavaType()) {
      case STRING -> ((String) value).isEmpty() ? null : NODES.textNode((String) value);
      case BOOLEAN -> (Boolean) value ? NODES.booleanNode(true) : null;
      case INT, LONG ->
          ((Number) value).longValue() == 0 ? null : NODES.numberNode(((Number) value).longValue());
      case FLOAT, DOUBLE -> NODES.numberNode(((Number) value).doubleValue());
      case BYTE_STRING ->
          NODES.textNode(Base64.getEncoder().encodeToString(((ByteString) value).toByteArray()));
      case MESSAGE -> special((Message) value);
      default -> NODES.textNode(String.valueOf(value));
    };
  }

  /** The apimachinery types whose JSON is not their message's shape. */
  private static JsonNode special(Message message) {
    if (message instanceof Meta.Time time) {
      return time.getSeconds() == 0 && time.getNanos() == 0
          ? null
          : NODES.textNode(
              Instant.ofEpochSecond(time.getSeconds()).truncatedTo(ChronoUnit.SECONDS).toString());
    }
    if (message instanceof Meta.MicroTime time) {
      return time.getSeconds() == 0 && time.getNanos() == 0
          ? null
          : NODES.textNode(
              MICRO_TIME.format(Instant.ofEpochSecond(time.getSeconds(), time.getNanos())));
    }
    if (message instanceof Meta.FieldsV1 fields) {
      return fields.getRaw().isEmpty() ? null : Json.read(fields.getRaw().toStringUtf8());
    }
    if (message instanceof Runtime.RawExtension raw) {
      return raw.getRaw().isEmpty() ? null : Json.read(raw.getRaw().toStringUtf8());
    }
    if (message instanceof IntStr.IntOrString intOrString) {
      return intOrString.getType() == 1
          ? NODES.textNode(intOrString.getStrVal())
          : NODES.numberNode(intOrString.getIntVal());
    }
    if (message instanceof Resource.Quantity quantity) {
      return NODES.textNode(quantity.getString());
    }
    return message(message);
  }
}
