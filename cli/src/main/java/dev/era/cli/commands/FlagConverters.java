package dev.era.cli.commands;

import dev.era.api.EraRunSpec;
import dev.era.api.EraVMSpec;
import dev.era.api.Patterns;
import dev.era.api.Quantities;
import dev.era.launcher.GuestLanguage;
import dev.era.launcher.InvalidSpecException;
import java.util.regex.Pattern;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/**
 * Checks flag values as they are parsed, so that a bad one is a usage error naming the flag
 * (picocli prefixes "Invalid value for option '--x': ") before anything is sent anywhere.
 */
final class FlagConverters {
  private static final Pattern QUANTITY = Pattern.compile(Patterns.QUANTITY);
  private static final Pattern PLAIN_NUMBER = Pattern.compile("[0-9]+");
  private static final Pattern VM_NAME = Pattern.compile("[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?");

  private FlagConverters() {}

  static final class Cpu implements ITypeConverter<Integer> {
    @Override
    public Integer convert(String value) {
      return intBetween(value, EraVMSpec.MIN_CPU, EraVMSpec.MAX_CPU);
    }
  }

  static final class TimeoutSeconds implements ITypeConverter<Integer> {
    @Override
    public Integer convert(String value) {
      return intBetween(value, EraRunSpec.MIN_TIMEOUT_SECONDS, EraRunSpec.MAX_TIMEOUT_SECONDS);
    }
  }

  static final class Port implements ITypeConverter<Integer> {
    @Override
    public Integer convert(String value) {
      return intBetween(value, 0, 65535);
    }
  }

  /** MiB as a plain number ({@code 512}), or a quantity ({@code 1Gi}); at least 128 MiB. */
  static final class Memory implements ITypeConverter<String> {
    @Override
    public String convert(String value) {
      String quantity = size(value);
      long min = Quantities.bytes(EraVMSpec.MIN_MEMORY).orElseThrow();
      if (Quantities.bytes(quantity).orElseThrow() < min) {
        throw new TypeConversionException(
            "'" + value + "' is less than the minimum, " + EraVMSpec.MIN_MEMORY);
      }
      return quantity;
    }
  }

  /** A disk size: MiB as a plain number, or a quantity; more than 0. */
  static final class DiskSize implements ITypeConverter<String> {
    @Override
    public String convert(String value) {
      String quantity = size(value);
      if (Quantities.bytes(quantity).orElseThrow() <= 0) {
        throw new TypeConversionException("'" + value + "' is not a size above 0");
      }
      return quantity;
    }
  }

  /** A name that is a valid EraVM name and launcher VM id: lower-case letters, digits, '-'. */
  static final class VmName implements ITypeConverter<String> {
    @Override
    public String convert(String value) {
      if (!VM_NAME.matcher(value).matches()) {
        throw new TypeConversionException(
            "'"
                + value
                + "' is not a valid name: use at most 63 lower-case letters,"
                + " digits and '-', starting and ending with a letter or digit");
      }
      return value;
    }
  }

  /** A guest image name ({@code python}, {@code node}), or {@code none}. */
  static final class Image implements ITypeConverter<String> {
    static final String NONE = "none";

    @Override
    public String convert(String value) {
      if (NONE.equals(value)) {
        return value;
      }
      try {
        return GuestLanguage.parse(value).id();
      } catch (InvalidSpecException e) {
        throw new TypeConversionException("'" + value + "' is not python, node or none");
      }
    }
  }

  private static int intBetween(String value, int min, int max) {
    try {
      int n = Integer.parseInt(value.strip());
      if (n >= min && n <= max) {
        return n;
      }
    } catch (NumberFormatException e) {
      // Same message as a number out of range.
    }
    throw new TypeConversionException(
        "'" + value + "' is not a whole number from " + min + " to " + max);
  }

  private static String size(String value) {
    String quantity = PLAIN_NUMBER.matcher(value).matches() ? value + "Mi" : value;
    if (!QUANTITY.matcher(quantity).matches() || Quantities.bytes(quantity).isEmpty()) {
      throw new TypeConversionException(
          "'" + value + "' is not a size: give MiB (512) or a quantity (1Gi)");
    }
    return quantity;
  }
}
