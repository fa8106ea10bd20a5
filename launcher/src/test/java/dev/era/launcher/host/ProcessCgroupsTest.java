package dev.era.launcher.host;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.era.launcher.LaunchException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ProcessCgroupsTest {
  @TempDir Path root;

  @Test
  void aHybridHostGivesEveryV1HierarchyAndTheUnifiedOne() throws IOException {
    Path memory = procs("memory/kubepods/pod1/ctr");
    Path cpu = procs("cpu,cpuacct/kubepods/pod1/ctr");
    Path systemd = procs("systemd/kubepods/pod1/ctr");
    Path unified = procs("unified/kubepods/pod1/ctr");

    assertThat(
            ProcessCgroups.procsFiles(
                List.of(
                    "12:memory:/kubepods/pod1/ctr",
                    "4:cpu,cpuacct:/kubepods/pod1/ctr",
                    "1:name=systemd:/kubepods/pod1/ctr",
                    "0::/kubepods/pod1/ctr"),
                root))
        .containsExactly(memory, cpu, systemd, unified);
  }

  @Test
  void aV2HostGivesTheOneCgroup() throws IOException {
    Path pod = procs("kubepods.slice/kubepods-pod1.slice/cri-containerd-1.scope");

    assertThat(
            ProcessCgroups.procsFiles(
                List.of("0::/kubepods.slice/kubepods-pod1.slice/cri-containerd-1.scope"), root))
        .containsExactly(pod);
  }

  @Test
  void aHierarchyThatIsNotMountedIsSkipped() throws IOException {
    Path memory = procs("memory/pod");

    assertThat(ProcessCgroups.procsFiles(List.of("3:memory:/pod", "2:rdma:/pod"), root))
        .containsExactly(memory);
  }

  @Test
  void aCgroupOutsideTheReadersNamespaceIsRefused() {
    assertThatThrownBy(() -> ProcessCgroups.procsFiles(List.of("0::/../../kubepods/pod1"), root))
        .isInstanceOf(LaunchException.class)
        .hasMessageContaining("host's");
  }

  @Test
  void aProcessWithNoCgroupFoundIsRefused() {
    assertThatThrownBy(() -> ProcessCgroups.procsFiles(List.of("0::/gone"), root))
        .isInstanceOf(LaunchException.class)
        .hasMessageContaining("found none");
  }

  private Path procs(String dir) throws IOException {
    Path file = Files.createDirectories(root.resolve(dir)).resolve("cgroup.procs");
    return Files.createFile(file);
  }
}
