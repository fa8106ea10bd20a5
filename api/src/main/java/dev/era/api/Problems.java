package dev.era.api;

import java.util.ArrayList;
import java.util.List;
import java.util.function.BiConsumer;
import java.util.regex.Pattern;

/** Collects validation problems as "field: what is wrong" lines. */
final class Problems {
  private final List<String> list = new ArrayList<>();

  void add(String field, String message) {
    list.add(field + ": " + message);
  }

  void require(boolean ok, String field, String message) {
    if (!ok) {
      add(field, message);
    }
  }

  /** Checks an optional string against a schema pattern and length; null passes. */
  void matches(String value, Pattern pattern, int maxLength, String field, String what) {
    if (value == null) {
      return;
    }
    if (value.length() > maxLength) {
      add(field, "must be at most " + maxLength + " characters");
    } else if (!pattern.matcher(value).matches()) {
      add(field, "'" + value + "' is not " + what);
    }
  }

  /**
   * Checks a list whose entries must not be null: a null entry is a problem, any other is handed to
   * the check with its field ({@code spec.files[2]}).
   */
  <T> void each(List<T> entries, String field, BiConsumer<T, String> check) {
    for (int i = 0; i < entries.size(); i++) {
      String entryField = field + "[" + i + "]";
      if (entries.get(i) == null) {
        add(entryField, "must not be null");
      } else {
        check.accept(entries.get(i), entryField);
      }
    }
  }

  <E extends Enum<E>> void oneOf(String value, Class<E> type, String field) {
    for (E constant : type.getEnumConstants()) {
      if (constant.name().equals(value)) {
        return;
      }
    }
    List<String> allowed = new ArrayList<>();
    for (E constant : type.getEnumConstants()) {
      allowed.add(constant.name());
    }
    add(field, "'" + value + "' is not one of " + allowed);
  }

  void range(Number value, long min, long max, String field) {
    if (value == null) {
      add(field, "is required");
    } else if (value.longValue() < min || value.longValue() > max) {
      add(field, "must be between " + min + " and " + max + " (got " + value + ")");
    }
  }

  /** Null passes: for optional fields. */
  void atLeast(Number value, long min, String field) {
    if (value != null && value.longValue() < min) {
      add(field, "must be at least " + min + " (got " + value + ")");
    }
  }

  List<String> list() {
    return List.copyOf(list);
  }
}
