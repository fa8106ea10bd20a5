package dev.era.api;

/** Annotation keys users (or the {@code era} CLI) write on ERA resources. */
public final class Annotations {
  /**
   * On an EraVM, {@code "true"}: keep its persistent disk when it is deleted. Set by the user, or
   * by {@code era clean --keep-persist}, before deleting the EraVM; the node agent reads it when it
   * tears the VM down (everything else goes as usual). The disk is named after the EraVM's
   * namespace and name, so a new EraVM of that namespace and name with {@code spec.persist} mounts
   * it again on the same node; deleting that one without the annotation removes the disk.
   */
  public static final String KEEP_PERSIST = Era.GROUP + "/keep-persist";

  private Annotations() {}
}
