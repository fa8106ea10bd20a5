package dev.era.launcher.host;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class TscFrequencyTest {

  @Test
  void readsSysfsKilohertz() {
    assertThat(TscFrequency.fromSysfs("2596124\n")).hasValue(2596124);
    assertThat(TscFrequency.fromSysfs("garbage")).isEmpty();
    assertThat(TscFrequency.fromSysfs("0")).isEmpty();
  }

  @Test
  void prefersTheRefinedCalibrationInTheKernelLog() {
    List<String> kmsg =
        List.of(
            "6,12,59,-;tsc: Detected 2596.124 MHz processor",
            "6,300,1234,-;clocksource: tsc-early: mask: 0xffffffffffffffff",
            "6,501,2003,-;tsc: Refined TSC clocksource calibration: 2595.998 MHz");

    assertThat(TscFrequency.fromKernelLog(kmsg)).hasValue(2595998);
  }

  @Test
  void fallsBackToTheDetectedFrequency() {
    assertThat(
            TscFrequency.fromKernelLog(
                List.of("[    0.000059] tsc: Detected 2596.124 MHz processor")))
        .hasValue(2596124);
    assertThat(TscFrequency.fromKernelLog(List.of("[    0.000000] tsc: Detected 3000.000 MHz TSC")))
        .hasValue(3000000);
    assertThat(TscFrequency.fromKernelLog(List.of("nothing about clocks"))).isEmpty();
  }

  @Test
  void usesTheFirstCpuMhzOfCpuinfo() {
    String cpuinfo =
        "processor\t: 0\nmodel name\t: AMD EPYC\ncpu MHz\t\t: 2596.124\n\nprocessor\t: 1\ncpu MHz\t\t: 1800.000\n";

    assertThat(TscFrequency.fromCpuinfo(cpuinfo)).hasValue(2596124);
    assertThat(TscFrequency.fromCpuinfo("model name : x\n")).isEmpty();
  }

  @Test
  void convertsMegahertzWithoutFloatingPointError() {
    assertThat(TscFrequency.mhzToKhz("2596.124")).isEqualTo(2596124);
    assertThat(TscFrequency.mhzToKhz("2400")).isEqualTo(2400000);
    assertThat(TscFrequency.mhzToKhz("1999.9999")).isEqualTo(1999999);
  }

  @Test
  void findsAFrequencyOnThisHost() {
    assertThat(TscFrequency.read())
        .as("sysfs, kernel log or /proc/cpuinfo on an x86 host")
        .isPresent();
  }
}
