package dev.era.apiserver;

/**
 * One invalid field, in the words of the Kubernetes API server.
 *
 * @param field the field path as the API server writes it, e.g. {@code spec.files[0].path}
 * @param reason the {@code StatusCause} reason, e.g. {@code FieldValueRequired}
 * @param message the detail, e.g. {@code Required value}
 */
record FieldError(String field, String reason, String message) {
  @Override
  public String toString() {
    return field + ": " + message;
  }
}
