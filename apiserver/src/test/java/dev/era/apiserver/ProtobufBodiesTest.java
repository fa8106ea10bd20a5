package dev.era.apiserver;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import com.google.protobuf.Message;
import io.kubernetes.client.proto.Meta;
import io.kubernetes.client.proto.Runtime;
import io.kubernetes.client.proto.V1;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class ProtobufBodiesTest {
  /** A body as client-go writes it: the magic, then runtime.Unknown around the object's message. */
  private static byte[] body(String apiVersion, String kind, Message object) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.writeBytes(new byte[] {'k', '8', 's', 0});
    out.writeBytes(
        Runtime.Unknown.newBuilder()
            .setTypeMeta(Runtime.TypeMeta.newBuilder().setApiVersion(apiVersion).setKind(kind))
            .setRaw(object.toByteString())
            .setContentType("application/vnd.kubernetes.protobuf")
            .build()
            .toByteArray());
    return out.toByteArray();
  }

  /** ObjectMeta as client-go sends it: every plain field present, empty or zero where unset. */
  private static Meta.ObjectMeta.Builder metadata(String name) {
    return Meta.ObjectMeta.newBuilder()
        .setName(name)
        .setGenerateName("")
        .setNamespace("")
        .setUid("")
        .setResourceVersion("")
        .setGeneration(0)
        .setCreationTimestamp(Meta.Time.newBuilder().setSeconds(0));
  }

  @Test
  void readsAConfigMapAsTheJsonTheServerWouldWrite() {
    V1.ConfigMap configMap =
        V1.ConfigMap.newBuilder()
            .setMetadata(metadata("c").putLabels("team", "a"))
            .putData("a", "b")
            .build();
    assertThat(ProtobufBodies.read(body("v1", "ConfigMap", configMap)))
        .isEqualTo(
            Json.read(
                """
        {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c", "labels": {"team": "a"}},
         "data": {"a": "b"}}"""));
  }

  @Test
  void secretBytesAreBase64AndTimesRfc3339() {
    V1.Secret secret =
        V1.Secret.newBuilder()
            .setMetadata(
                metadata("s")
                    .setCreationTimestamp(Meta.Time.newBuilder().setSeconds(1_700_000_000)))
            .putData("password", ByteString.copyFrom("hunter2", StandardCharsets.UTF_8))
            .setType("Opaque")
            .build();
    assertThat(ProtobufBodies.read(body("v1", "Secret", secret)))
        .isEqualTo(
            Json.read(
                """
        {"apiVersion": "v1", "kind": "Secret",
         "metadata": {"name": "s", "creationTimestamp": "2023-11-14T22:13:20Z"},
         "data": {"password": "aHVudGVyMg=="}, "type": "Opaque"}"""));
  }

  @Test
  void namespacesKeepTheirSpec() {
    V1.Namespace namespace =
        V1.Namespace.newBuilder()
            .setMetadata(metadata("team-a"))
            .setSpec(V1.NamespaceSpec.newBuilder().addFinalizers("kubernetes"))
            .build();
    assertThat(ProtobufBodies.read(body("v1", "Namespace", namespace)).path("spec"))
        .isEqualTo(Json.read("{\"finalizers\": [\"kubernetes\"]}"));
  }

  @Test
  void refusesKindsItCannotReadAndBodiesWithoutTheEnvelope() {
    assertThatThrownBy(() -> ProtobufBodies.read(body("v1", "Pod", V1.Pod.getDefaultInstance())))
        .isInstanceOfSatisfying(
            ApiException.class,
            e -> {
              assertThat(e.code()).isEqualTo(415);
              assertThat(e.getMessage()).contains("v1/Pod");
            });
    assertThatThrownBy(() -> ProtobufBodies.read("{}".getBytes(StandardCharsets.UTF_8)))
        .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.code()).isEqualTo(400));
  }
}
