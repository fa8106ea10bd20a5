package dev.era.nodeagent.logs;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.era.api.Patterns;
import dev.era.launcher.host.PrivateDirs;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.Comparator;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Predicate;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.jboss.logging.Logger;

/**
 * Full run logs on the node: {@code <root>/<namespace>/<run>/} holds {@code stdout}, {@code stderr}
 * and {@code run.json} ({@link RunRecord}). A run's directory lives as long as its EraRun (or its
 * EraVM) does; a run that reuses the name of a deleted one starts from an empty directory.
 */
public final class RunLogs {
  private static final Logger LOG = Logger.getLogger(RunLogs.class);
  private static final Pattern NAME = Pattern.compile(Patterns.DNS_SUBDOMAIN);
  private static final String RECORD = "run.json";

  private final Path root;
  private final int tailBytes;
  private final long maxBytes;
  private final ObjectMapper json =
      new ObjectMapper().configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);
  private final Map<String, RunLog> active = new ConcurrentHashMap<>();
  private final Object arrivals = new Object();

  /**
   * @param tailBytes the most bytes of each stream kept in memory
   * @param maxBytes the most bytes of each stream kept on disk, per run
   */
  public RunLogs(Path root, int tailBytes, long maxBytes) {
    this.root = root;
    this.tailBytes = tailBytes;
    this.maxBytes = maxBytes;
  }

  /** Whether a namespace or run name is one the API allows (and so safe as a path segment). */
  public static boolean validName(String name) {
    return name != null && name.length() <= 253 && NAME.matcher(name).matches();
  }

  /** Starts the logs of a run: an empty directory with its record, and a log to append to. */
  public synchronized RunLog create(String namespace, String name, RunRecord record) {
    Path dir = dir(namespace, name);
    try {
      discard(namespace, name);
      deleteTree(dir);
      PrivateDirs.create(dir);
      writeRecord(dir, record);
      RunLog log = new RunLog(dir, tailBytes, maxBytes, false);
      active.put(key(namespace, name), log);
      synchronized (arrivals) {
        arrivals.notifyAll();
      }
      return log;
    } catch (IOException e) {
      throw new UncheckedIOException(
          "cannot create the run logs in " + dir + ": " + e.getMessage(), e);
    }
  }

  /**
   * Continues the logs of a run an earlier agent started, whose command outlived that agent: the
   * log appends to the files there, and its tails start from what they hold.
   */
  public synchronized RunLog resume(String namespace, String name) {
    Path dir = dir(namespace, name);
    try {
      discard(namespace, name);
      RunLog log = new RunLog(dir, tailBytes, maxBytes, true);
      active.put(key(namespace, name), log);
      return log;
    } catch (IOException e) {
      throw new UncheckedIOException(
          "cannot reopen the run logs in " + dir + ": " + e.getMessage(), e);
    }
  }

  /** Closes a log without recording an outcome (the run is reported another way). */
  public void release(String namespace, String name, RunLog log) {
    log.finish();
    active.remove(key(namespace, name), log);
  }

  /** Records the outcome next to the logs, then closes the log (followers finish). */
  public void finish(String namespace, String name, RunLog log, RunOutcome outcome) {
    Path dir = dir(namespace, name);
    try {
      if (active.get(key(namespace, name)) == log) {
        Optional<RunRecord> record = readRecord(dir);
        if (record.isPresent()) {
          writeRecord(dir, record.get().withOutcome(outcome));
        }
      }
    } catch (IOException e) {
      LOG.warnf(
          "cannot record the outcome of run %s/%s in %s: %s", namespace, name, dir, e.getMessage());
    } finally {
      log.finish();
      active.remove(key(namespace, name), log);
    }
  }

  /** Records an outcome for logs no longer in memory (a run left by an earlier agent). */
  public void recordOutcome(String namespace, String name, RunOutcome outcome) {
    Path dir = dir(namespace, name);
    try {
      Optional<RunRecord> record = readRecord(dir);
      if (record.isPresent()) {
        writeRecord(dir, record.get().withOutcome(outcome));
      }
    } catch (IOException e) {
      LOG.warnf("cannot record the outcome of run %s/%s: %s", namespace, name, e.getMessage());
    }
  }

  /** Closes every log still open (the agent shuts down); their records keep no outcome. */
  public void closeAll() {
    active.values().forEach(RunLog::finish);
    active.clear();
  }

  /**
   * A run's log file and, while the run runs here, its live log; empty when the run has no logs on
   * this node. Consistent with {@link #create}: a follower never sees the file without its log.
   */
  public synchronized Optional<LogView> view(String namespace, String name, RunLog.Stream stream) {
    Path file = file(namespace, name, stream);
    if (!Files.exists(file)) {
      return Optional.empty();
    }
    return Optional.of(new LogView(file, active.get(key(namespace, name))));
  }

  /**
   * @param live the log being written, null when the run no longer runs here
   */
  public record LogView(Path file, RunLog live) {
    public boolean finished() {
      return live == null || live.isFinished();
    }
  }

  public Optional<RunLog> active(String namespace, String name) {
    return Optional.ofNullable(active.get(key(namespace, name)));
  }

  public Optional<RunRecord> record(String namespace, String name) {
    try {
      return readRecord(dir(namespace, name));
    } catch (IOException e) {
      LOG.warnf("cannot read the record of run %s/%s: %s", namespace, name, e.getMessage());
      return Optional.empty();
    }
  }

  public Path file(String namespace, String name, RunLog.Stream stream) {
    return RunLog.file(dir(namespace, name), stream);
  }

  public OutputTail emptyTail() {
    return new OutputTail(tailBytes);
  }

  /** The tail of a log on disk; empty when there is no such file. */
  public OutputTail tailOnDisk(String namespace, String name, RunLog.Stream stream) {
    Path file = file(namespace, name, stream);
    try {
      return OutputTail.ofFile(file, tailBytes);
    } catch (NoSuchFileException | FileNotFoundException e) {
      return new OutputTail(tailBytes);
    } catch (IOException e) {
      LOG.warnf("cannot read %s: %s", file, e.getMessage());
      return new OutputTail(tailBytes);
    }
  }

  /** Deletes a run's logs, if they are that run's (uid) and not a newer run's of the same name. */
  public synchronized void delete(String namespace, String name, String uid) {
    if (record(namespace, name).map(r -> r.uid().equals(uid)).orElse(true)) {
      discard(namespace, name);
      deleteQuietly(dir(namespace, name));
    }
  }

  /** Deletes the logs of every run of a VM (the EraVM is gone). */
  public synchronized void deleteForVm(String namespace, String vmName) {
    deleteWhere(namespace, r -> vmName.equals(r.vmName()));
  }

  /** Deletes the logs of runs whose EraRun no longer exists (removed while no agent ran). */
  public synchronized void retainOnly(Set<String> runUids) {
    for (String namespace : children(root)) {
      deleteWhere(namespace, r -> !runUids.contains(r.uid()));
    }
  }

  /** Waits until logs for the run may have appeared here, at most {@code max}. */
  public void awaitArrival(Duration max) throws InterruptedException {
    synchronized (arrivals) {
      arrivals.wait(Math.max(1, max.toMillis()));
    }
  }

  private void deleteWhere(String namespace, Predicate<RunRecord> doomed) {
    if (!validName(namespace)) {
      return;
    }
    for (String name : children(root.resolve(namespace))) {
      Optional<RunRecord> record = record(namespace, name);
      if (record.isEmpty() || doomed.test(record.get())) {
        discard(namespace, name);
        deleteQuietly(dir(namespace, name));
      }
    }
    deleteIfEmpty(root.resolve(namespace));
  }

  private void discard(String namespace, String name) {
    RunLog log = active.remove(key(namespace, name));
    if (log != null) {
      log.finish();
    }
  }

  private Path dir(String namespace, String name) {
    if (!validName(namespace) || !validName(name)) {
      throw new IllegalArgumentException("not a valid namespace/name: " + namespace + "/" + name);
    }
    return root.resolve(namespace).resolve(name);
  }

  private Optional<RunRecord> readRecord(Path dir) throws IOException {
    Path file = dir.resolve(RECORD);
    try {
      return Optional.of(json.readValue(file.toFile(), RunRecord.class));
    } catch (NoSuchFileException | FileNotFoundException e) {
      return Optional.empty();
    } catch (com.fasterxml.jackson.core.JacksonException e) {
      LOG.warnf("ignoring the unreadable run record %s: %s", file, e.getOriginalMessage());
      return Optional.empty();
    }
  }

  private void writeRecord(Path dir, RunRecord record) throws IOException {
    Path tmp = dir.resolve(RECORD + ".tmp");
    json.writeValue(tmp.toFile(), record);
    Files.move(
        tmp,
        dir.resolve(RECORD),
        StandardCopyOption.ATOMIC_MOVE,
        StandardCopyOption.REPLACE_EXISTING);
  }

  private static String key(String namespace, String name) {
    return namespace + "/" + name;
  }

  private static Set<String> children(Path dir) {
    Set<String> names = new TreeSet<>();
    if (!Files.isDirectory(dir)) {
      return names;
    }
    try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir, Files::isDirectory)) {
      entries.forEach(p -> names.add(p.getFileName().toString()));
    } catch (IOException e) {
      LOG.warnf("cannot list %s: %s", dir, e.getMessage());
    }
    names.removeIf(n -> !validName(n));
    return names;
  }

  private void deleteQuietly(Path dir) {
    try {
      deleteTree(dir);
      deleteIfEmpty(dir.getParent());
    } catch (IOException e) {
      LOG.warnf("cannot delete the run logs %s: %s", dir, e.getMessage());
    }
  }

  private void deleteIfEmpty(Path dir) {
    if (dir.equals(root) || !Files.isDirectory(dir)) {
      return;
    }
    try (Stream<Path> entries = Files.list(dir)) {
      if (entries.findAny().isEmpty()) {
        Files.deleteIfExists(dir);
      }
    } catch (IOException e) {
      LOG.debugf("cannot remove %s: %s", dir, e.getMessage());
    }
  }

  private static void deleteTree(Path dir) throws IOException {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> files = Files.walk(dir)) {
      for (Path file : files.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(file);
      }
    }
  }
}
