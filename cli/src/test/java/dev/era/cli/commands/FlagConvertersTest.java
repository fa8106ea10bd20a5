package dev.era.cli.commands;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import picocli.CommandLine.TypeConversionException;

class FlagConvertersTest {
  @ParameterizedTest
  @CsvSource({"512, 512Mi", "128, 128Mi", "1Gi, 1Gi", "1.5Gi, 1.5Gi", "2G, 2G"})
  void memoryIsMibOrAQuantity(String flag, String quantity) {
    assertThat(new FlagConverters.Memory().convert(flag)).isEqualTo(quantity);
  }

  @ParameterizedTest
  @ValueSource(strings = {"127", "100Mi", "512MB", "-1", "lots", ""})
  void memoryBelowTheMinimumOrNotASizeIsRefused(String flag) {
    assertThatThrownBy(() -> new FlagConverters.Memory().convert(flag))
        .isInstanceOf(TypeConversionException.class);
  }

  @Test
  void diskSizeMustBeAboveZero() {
    assertThat(new FlagConverters.DiskSize().convert("1Gi")).isEqualTo("1Gi");
    assertThat(new FlagConverters.DiskSize().convert("64")).isEqualTo("64Mi");
    assertThatThrownBy(() -> new FlagConverters.DiskSize().convert("0"))
        .hasMessageContaining("above 0");
  }

  @Test
  void cpuIsAWholeNumberInRange() {
    assertThat(new FlagConverters.Cpu().convert("2")).isEqualTo(2);
    assertThatThrownBy(() -> new FlagConverters.Cpu().convert("0"))
        .hasMessageContaining("from 1 to 64");
    assertThatThrownBy(() -> new FlagConverters.Cpu().convert("1.5"))
        .hasMessageContaining("from 1 to 64");
  }

  @ParameterizedTest
  @ValueSource(strings = {"hello", "a", "vm-1", "0day"})
  void validNamesPass(String name) {
    assertThat(new FlagConverters.VmName().convert(name)).isEqualTo(name);
  }

  @ParameterizedTest
  @ValueSource(strings = {"Hello", "-vm", "vm-", "a.b", "under_score", ""})
  void invalidNamesAreRefused(String name) {
    assertThatThrownBy(() -> new FlagConverters.VmName().convert(name))
        .hasMessageContaining("not a valid name");
  }

  @Test
  void imagesAreLanguagesOrNone() {
    assertThat(new FlagConverters.Image().convert("python")).isEqualTo("python");
    assertThat(new FlagConverters.Image().convert("NODE")).isEqualTo("node");
    assertThat(new FlagConverters.Image().convert("none")).isEqualTo("none");
    assertThatThrownBy(() -> new FlagConverters.Image().convert("ruby"))
        .hasMessageContaining("python, node or none");
  }
}
