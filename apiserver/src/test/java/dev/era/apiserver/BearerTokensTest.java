package dev.era.apiserver;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BearerTokensTest {
  private static final UserInfo ALICE =
      new UserInfo("alice", List.of("team", UserInfo.AUTHENTICATED));
  private static final UserInfo BOB = new UserInfo("bob", List.of());

  @TempDir Path dir;

  @Test
  void aTokenAuthenticatesItsUserOnly() {
    BearerTokens tokens = BearerTokens.generate(List.of(ALICE, BOB));
    String alice = tokens.tokenOf("alice");

    assertThat(alice).hasSize(43).isNotEqualTo(tokens.tokenOf("bob"));
    assertThat(tokens.authenticate("Bearer " + alice)).contains(ALICE);
    assertThat(tokens.authenticate("bearer  " + alice + " ")).contains(ALICE);
    assertThat(tokens.authenticate("Bearer " + tokens.tokenOf("bob"))).contains(BOB);
    assertThat(tokens.authenticate("Bearer " + alice.substring(1))).isEmpty();
    assertThat(tokens.authenticate("Bearer")).isEmpty();
    assertThat(tokens.authenticate("Basic " + alice)).isEmpty();
    assertThat(tokens.authenticate(null)).isEmpty();
  }

  @Test
  void aFileKeepsTheTokensForTheNextStart() throws IOException {
    Path file = dir.resolve("tokens.csv");
    BearerTokens first = BearerTokens.loadOrCreate(file, List.of(ALICE));
    BearerTokens second = BearerTokens.loadOrCreate(file, List.of(ALICE));

    assertThat(second.tokenOf("alice")).isEqualTo(first.tokenOf("alice"));
    assertThat(Files.readString(file))
        .isEqualTo(first.tokenOf("alice") + ",alice,alice,\"team,system:authenticated\"\n");
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file)))
        .isEqualTo("rw-------");
  }

  @Test
  void identitiesTheFileLacksGetNewTokensAndTheRestStay() throws IOException {
    Path file = dir.resolve("tokens.csv");
    String alice = BearerTokens.loadOrCreate(file, List.of(ALICE)).tokenOf("alice");

    BearerTokens both = BearerTokens.loadOrCreate(file, List.of(ALICE, BOB));

    assertThat(both.tokenOf("alice")).isEqualTo(alice);
    assertThat(BearerTokens.loadOrCreate(file, List.of(ALICE, BOB)).tokenOf("bob"))
        .isEqualTo(both.tokenOf("bob"));
    Files.delete(file);
    assertThat(BearerTokens.loadOrCreate(file, List.of(ALICE)).tokenOf("alice"))
        .as("rotated")
        .isNotEqualTo(alice);
  }

  @Test
  void readsKubeApiserversTokenFileFormat() throws IOException {
    Path file =
        Files.writeString(
            dir.resolve("tokens.csv"),
            """
        t1,alice,uid-1,"team,system:authenticated"

        t2,bob,uid-2
        t3,carol,uid-3,admins
        """);
    BearerTokens tokens = BearerTokens.loadOrCreate(file, List.of());

    assertThat(tokens.authenticate("Bearer t1")).contains(ALICE);
    assertThat(tokens.authenticate("Bearer t2")).contains(BOB);
    assertThat(tokens.authenticate("Bearer t3")).contains(new UserInfo("carol", List.of("admins")));

    Files.writeString(file, "t1,alice\n");
    assertThatThrownBy(() -> BearerTokens.loadOrCreate(file, List.of()))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("line 1");
  }
}
