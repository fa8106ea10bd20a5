package dev.era.nodeagent.run;

import dev.era.kube.EventRecorder;
import dev.era.nodeagent.logs.RunLogs;
import dev.era.nodeagent.vm.VmRegistry;
import java.util.concurrent.Executor;

/**
 * What the steps of {@link RunExecutions} share: this node's VMs, run logs and active runs, where
 * they report, the threads runs are followed on, and how much output a run keeps on the node.
 */
record RunContext(
    VmRegistry vms,
    RunLogs logs,
    RunStatusWriter status,
    EventRecorder events,
    ActiveRuns active,
    Executor executor,
    String nodeName,
    int logMaxBytes) {}
