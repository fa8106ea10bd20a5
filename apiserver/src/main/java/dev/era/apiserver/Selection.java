package dev.era.apiserver;

import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.mockwebserver.http.HttpUrl;
import java.util.Map;
import java.util.function.Function;

/**
 * The objects a list, watch or collection delete selects: its label and field selectors, checked up
 * front (a selector the server cannot evaluate is refused, never taken to mean everything) and
 * evaluated here rather than by the CRUD store, which knows only equality and existence.
 */
record Selection(
    LabelSelector labels,
    FieldSelector fields,
    Map<String, Function<JsonNode, String>> selectable) {
  static Selection of(HttpUrl url, ResourcePath path) {
    FieldSelector fields = FieldSelector.parse(url.queryParameter("fieldSelector"));
    Map<String, Function<JsonNode, String>> selectable =
        FieldSelector.fieldsOf(path.group(), path.plural());
    fields.check(selectable);
    return new Selection(
        LabelSelector.parse(url.queryParameter("labelSelector")), fields, selectable);
  }

  boolean matches(JsonNode object) {
    return labels.matches(object) && fields.matches(object, selectable);
  }
}
