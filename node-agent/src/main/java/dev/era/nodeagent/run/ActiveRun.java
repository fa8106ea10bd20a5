package dev.era.nodeagent.run;

import dev.era.api.EraRun;
import dev.era.launcher.Execution;
import dev.era.launcher.VmHandle;
import dev.era.nodeagent.logs.RunLog;

/** A run this agent claimed, or follows, and has not finished. */
final class ActiveRun {
  final EraRun run;
  final VmHandle vm;

  /** The guest's id for the run's command. */
  final int execId;

  volatile RunLog log;
  volatile Execution execution;
  volatile boolean cancelled;

  ActiveRun(EraRun run, VmHandle vm, int execId) {
    this.run = run;
    this.vm = vm;
    this.execId = execId;
  }

  String namespace() {
    return run.getMetadata().getNamespace();
  }

  String name() {
    return run.getMetadata().getName();
  }
}
