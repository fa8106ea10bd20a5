package dev.era.apiserver;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;

/**
 * One resource type the API server serves at one group/version: what discovery, OpenAPI, tables and
 * validation need to know about it.
 *
 * @param group empty for the core group
 * @param schema the {@code openAPIV3Schema} of a custom resource; null for built-in types, which
 *     are stored without schema checks
 * @param printerColumns the CRD's {@code additionalPrinterColumns}; empty for built-in types
 */
record ServedResource(
    String group,
    String version,
    String kind,
    String plural,
    String singular,
    boolean namespaced,
    List<String> shortNames,
    List<String> categories,
    boolean statusSubresource,
    List<PrinterColumn> printerColumns,
    JsonNode schema) {

  static final List<String> VERBS =
      List.of("create", "delete", "deletecollection", "get", "list", "patch", "update", "watch");
  static final List<String> STATUS_VERBS = List.of("get", "patch", "update");

  static ServedResource builtin(
      String group,
      String version,
      String kind,
      String plural,
      boolean namespaced,
      List<String> shortNames,
      List<String> categories,
      boolean statusSubresource) {
    return new ServedResource(
        group,
        version,
        kind,
        plural,
        kind.toLowerCase(java.util.Locale.ROOT),
        namespaced,
        shortNames,
        categories,
        statusSubresource,
        List.of(),
        null);
  }

  String groupVersion() {
    return group.isEmpty() ? version : group + "/" + version;
  }

  boolean isCustom() {
    return schema != null;
  }
}
