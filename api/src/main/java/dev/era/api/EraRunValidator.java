package dev.era.api;

import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Every rule of the EraRun schema, checked in Java, plus the rules a schema cannot state (unique
 * file paths and environment names).
 */
public final class EraRunValidator {
  private static final Pattern DNS_SUBDOMAIN = Pattern.compile(Patterns.DNS_SUBDOMAIN);
  private static final Pattern RELATIVE_PATH = Pattern.compile(Patterns.RELATIVE_PATH);
  private static final Pattern ENV_NAME = Pattern.compile(Patterns.ENV_NAME);
  private static final Pattern BASE64 = Pattern.compile(Patterns.BASE64);
  private static final Pattern KEY = Pattern.compile(Patterns.CONFIG_KEY);

  private EraRunValidator() {}

  /** Problems with the spec; empty when it is valid. */
  public static List<String> validate(EraRunSpec spec) {
    Problems p = new Problems();
    p.require(spec.getVmName() != null, "spec.vmName", "is required");
    p.matches(spec.getVmName(), DNS_SUBDOMAIN, 253, "spec.vmName", "a valid EraVM name");
    boolean hasCommand = !spec.getCommand().isEmpty();
    boolean hasShell = spec.getShell() != null;
    p.require(hasCommand != hasShell, "spec", "set exactly one of command (argv) or shell");
    p.require(!hasShell || !spec.getShell().isEmpty(), "spec.shell", "must not be empty");
    p.each(spec.getCommand(), "spec.command", (arg, field) -> {});
    checkFiles(spec.getFiles(), p);
    checkEnv(spec.getEnv(), p);
    p.require(
        spec.getWorkingDir() == null || spec.getWorkingDir().length() <= 4096,
        "spec.workingDir",
        "must be at most 4096 characters");
    p.range(
        spec.getTimeoutSeconds(),
        EraRunSpec.MIN_TIMEOUT_SECONDS,
        EraRunSpec.MAX_TIMEOUT_SECONDS,
        "spec.timeoutSeconds");
    return p.list();
  }

  private static void checkFiles(List<RunFile> files, Problems p) {
    Set<String> paths = new HashSet<>();
    p.each(files, "spec.files", (file, field) -> checkFile(file, field, paths, p));
  }

  private static void checkFile(RunFile file, String field, Set<String> paths, Problems p) {
    p.require(file.getPath() != null, field + ".path", "is required");
    p.matches(
        file.getPath(),
        RELATIVE_PATH,
        4096,
        field + ".path",
        "a relative path without '..' segments");
    // Semantic: two files cannot land on the same path.
    p.require(
        file.getPath() == null || paths.add(file.getPath()),
        field + ".path",
        "duplicates an earlier file's path");
    int sources =
        (file.getContent() != null ? 1 : 0)
            + (file.getContentBase64() != null ? 1 : 0)
            + (file.getConfigMapRef() != null ? 1 : 0)
            + (file.getSecretRef() != null ? 1 : 0);
    p.require(
        sources == 1,
        field,
        "needs exactly one of content, contentBase64, configMapRef, secretRef");
    p.matches(
        file.getContentBase64(), BASE64, Integer.MAX_VALUE, field + ".contentBase64", "base64");
    checkRef(file.getConfigMapRef(), field + ".configMapRef", p);
    checkRef(file.getSecretRef(), field + ".secretRef", p);
    p.range(file.getMode(), 0, 0777, field + ".mode");
  }

  private static void checkRef(KeyRef ref, String field, Problems p) {
    if (ref == null) {
      return;
    }
    p.require(ref.getName() != null, field + ".name", "is required");
    p.matches(ref.getName(), DNS_SUBDOMAIN, 253, field + ".name", "a valid object name");
    p.require(ref.getKey() != null, field + ".key", "is required");
    p.matches(ref.getKey(), KEY, 253, field + ".key", "a valid key");
  }

  private static void checkEnv(List<RunEnvVar> env, Problems p) {
    Set<String> names = new HashSet<>();
    p.each(
        env,
        "spec.env",
        (var, field) -> {
          p.require(var.getName() != null, field + ".name", "is required");
          p.matches(var.getName(), ENV_NAME, 256, field + ".name", "a valid variable name");
          // Semantic: a second value for the same name would silently win.
          p.require(
              var.getName() == null || names.add(var.getName()),
              field + ".name",
              "duplicates an earlier variable");
        });
  }
}
