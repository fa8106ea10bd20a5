package dev.era.apiserver;

import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceColumnDefinition;

/** A column of {@code kubectl get}, as a CRD's {@code additionalPrinterColumns} declares it. */
record PrinterColumn(
    String name, String type, String format, String description, int priority, String jsonPath) {

  static final String AGE_DESCRIPTION =
      "CreationTimestamp is a timestamp representing the server time when this"
          + " object was created.";

  static PrinterColumn of(CustomResourceColumnDefinition column) {
    return new PrinterColumn(
        column.getName(),
        column.getType(),
        nullToEmpty(column.getFormat()),
        nullToEmpty(column.getDescription()),
        column.getPriority() == null ? 0 : column.getPriority(),
        column.getJsonPath());
  }

  static PrinterColumn age() {
    return new PrinterColumn("Age", "date", "", AGE_DESCRIPTION, 0, ".metadata.creationTimestamp");
  }

  private static String nullToEmpty(String value) {
    return value == null ? "" : value;
  }
}
