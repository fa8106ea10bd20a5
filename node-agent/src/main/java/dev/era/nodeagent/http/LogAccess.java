package dev.era.nodeagent.http;

/**
 * Decides whether the caller of the log endpoint may read a run's logs: the same question the API
 * server answers for {@code get} on the EraRun, since the logs are the rest of its status.
 */
@FunctionalInterface
public interface LogAccess {
  /**
   * @param authorization the request's {@code Authorization} header, or null
   */
  Decision check(String authorization, String namespace, String run);

  /** The answer, with what to tell the caller when it is no. */
  record Decision(Verdict verdict, String message) {
    static Decision allowed() {
      return new Decision(Verdict.ALLOWED, "");
    }
  }

  enum Verdict {
    ALLOWED,
    /** No bearer token, or one the API server does not know: 401. */
    UNAUTHENTICATED,
    /** A known user without {@code get} on the EraRun: 403. */
    FORBIDDEN,
    /** The API server could not be asked: 503, try again. */
    UNAVAILABLE
  }
}
