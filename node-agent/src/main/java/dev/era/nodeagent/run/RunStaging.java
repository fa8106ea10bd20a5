package dev.era.nodeagent.run;

import dev.era.api.EraRun;
import dev.era.api.RunFile;
import dev.era.launcher.LaunchException;
import dev.era.launcher.VmHandle;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.ByteArrayInputStream;

/**
 * Writes a run's files into its VM before its command starts. Files go under /work (the guest's
 * work directory), created with their parents.
 */
final class RunStaging {
  private final FileSources files;

  RunStaging(KubernetesClient client) {
    this.files = new FileSources(client);
  }

  /**
   * @throws StagingException when a file has no content or cannot be written while the VM lives
   * @throws LaunchException when the VM went away
   */
  void stage(EraRun run, VmHandle vm) throws StagingException {
    for (RunFile file : run.getSpec().getFiles()) {
      byte[] content = files.content(run.getMetadata().getNamespace(), file);
      try {
        vm.putFile(file.getPath(), new ByteArrayInputStream(content), file.getMode());
      } catch (LaunchException e) {
        if (!vm.isAlive()) {
          throw e;
        }
        throw new StagingException(
            "cannot write file " + file.getPath() + " into the VM: " + e.getMessage());
      }
    }
  }
}
