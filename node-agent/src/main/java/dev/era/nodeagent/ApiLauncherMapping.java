package dev.era.nodeagent;

import dev.era.api.Accelerator;
import dev.era.api.Language;
import dev.era.api.NetworkMode;
import dev.era.launcher.GuestLanguage;
import dev.era.launcher.GuestNetwork;
import dev.era.launcher.QemuAccelerator;

/**
 * The one place where the API's enums (their constants are the CRD's wire values) meet the
 * launcher's, which knows no Kubernetes. The switches are exhaustive, so a constant added to the
 * switched-on type does not compile until it is mapped here; ApiLauncherMappingTest checks that
 * every constant of the other side is reached.
 */
public final class ApiLauncherMapping {
  private ApiLauncherMapping() {}

  /** The guest image that an EraVM's {@code spec.language} boots. */
  public static GuestLanguage guestLanguage(Language language) {
    return switch (language) {
      case python -> GuestLanguage.PYTHON;
      case node -> GuestLanguage.NODE;
    };
  }

  /** The {@code spec.language} value that a guest image serves (EraNode {@code status.images}). */
  public static Language language(GuestLanguage language) {
    return switch (language) {
      case PYTHON -> Language.python;
      case NODE -> Language.node;
    };
  }

  /** The guest network of an EraVM's {@code spec.network}. */
  public static GuestNetwork guestNetwork(NetworkMode mode) {
    return switch (mode) {
      case none -> GuestNetwork.NONE;
      case egress -> GuestNetwork.EGRESS;
      case full -> GuestNetwork.FULL;
    };
  }

  /** What an EraNode reports in {@code status.accelerator}. */
  public static Accelerator accelerator(QemuAccelerator accelerator) {
    return switch (accelerator) {
      case KVM -> Accelerator.kvm;
      case TCG -> Accelerator.tcg;
    };
  }
}
