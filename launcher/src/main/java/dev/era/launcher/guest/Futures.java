package dev.era.launcher.guest;

import dev.era.launcher.LaunchException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** Waits for futures with a deadline and turns every failure into a {@link LaunchException}. */
public final class Futures {
  private Futures() {}

  public static <T> T await(CompletableFuture<T> future, Duration timeout, String timeoutMessage) {
    try {
      return future.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (TimeoutException e) {
      throw new LaunchException(timeoutMessage + " within " + timeout.toMillis() + " ms");
    } catch (ExecutionException e) {
      throw unwrap(e.getCause());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new LaunchException("interrupted: " + timeoutMessage, e);
    }
  }

  public static LaunchException unwrap(Throwable failure) {
    Throwable cause = failure;
    while ((cause instanceof CompletionException || cause instanceof ExecutionException)
        && cause.getCause() != null) {
      cause = cause.getCause();
    }
    return cause instanceof LaunchException launch
        ? launch
        : new LaunchException(String.valueOf(cause.getMessage()), cause);
  }
}
