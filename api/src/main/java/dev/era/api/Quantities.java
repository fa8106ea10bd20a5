package dev.era.api;

import io.fabric8.kubernetes.api.model.Quantity;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.Optional;
import java.util.regex.Pattern;

/** Kubernetes quantities as byte counts. */
public final class Quantities {
  public static final long MIB = 1024L * 1024L;
  private static final Pattern QUANTITY = Pattern.compile(Patterns.QUANTITY);

  private Quantities() {}

  /** Bytes for a quantity such as {@code 256Mi}; empty when it is not one ERA accepts. */
  public static Optional<Long> bytes(String quantity) {
    if (quantity == null || !QUANTITY.matcher(quantity).matches()) {
      return Optional.empty();
    }
    try {
      BigDecimal bytes = Quantity.getAmountInBytes(new Quantity(quantity));
      return Optional.of(bytes.setScale(0, RoundingMode.CEILING).longValueExact());
    } catch (ArithmeticException | IllegalArgumentException e) {
      return Optional.empty();
    }
  }

  /** A byte count as the shortest exact binary quantity ({@code 268435456} → {@code 256Mi}). */
  public static String format(long bytes) {
    String[] units = {"", "Ki", "Mi", "Gi", "Ti", "Pi", "Ei"};
    int unit = 0;
    long value = bytes;
    while (value != 0 && value % 1024 == 0 && unit < units.length - 1) {
      value /= 1024;
      unit++;
    }
    return value + units[unit];
  }
}
