package dev.era.launcher;

/**
 * Receives a command's output as the guest streams it. Called from the VM's reader thread: return
 * quickly.
 */
public interface ExecListener {
  void onStdout(byte[] chunk);

  void onStderr(byte[] chunk);

  ExecListener IGNORE =
      new ExecListener() {
        @Override
        public void onStdout(byte[] chunk) {}

        @Override
        public void onStderr(byte[] chunk) {}
      };
}
