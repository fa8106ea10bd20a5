package dev.era.launcher.egress;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.era.launcher.InvalidSpecException;
import java.util.List;
import org.junit.jupiter.api.Test;

class EgressPolicyTest {
  private final EgressPolicy policy =
      EgressPolicy.parse(
          List.of(
              "pypi.org:443", "*.pythonhosted.org", "registry.npmjs.org", "198.18.0.0/15:8080"));

  @Test
  void anExactNameMatchesItselfOnItsPortInAnyCase() {
    assertThat(policy.allows("pypi.org", 443)).isTrue();
    assertThat(policy.allows("PyPI.org.", 443)).isTrue();
    assertThat(policy.allows("pypi.org", 80)).isFalse();
    assertThat(policy.allows("www.pypi.org", 443)).isFalse();
    assertThat(policy.allows("evilpypi.org", 443)).isFalse();
  }

  @Test
  void aNameWithoutPortMatchesEveryPort() {
    assertThat(policy.allows("registry.npmjs.org", 443)).isTrue();
    assertThat(policy.allows("registry.npmjs.org", 22)).isTrue();
  }

  @Test
  void aWildcardMatchesSubdomainsAtAnyDepthButNotTheDomainItself() {
    assertThat(policy.allows("files.pythonhosted.org", 443)).isTrue();
    assertThat(policy.allows("a.b.pythonhosted.org", 443)).isTrue();
    assertThat(policy.allows("pythonhosted.org", 443)).isFalse();
    assertThat(policy.allows("files.pythonhosted.org.evil.com", 443)).isFalse();
    assertThat(policy.allows("xpythonhosted.org", 443)).isFalse();
  }

  @Test
  void rangesMatchAddressLiteralsOnTheirPortButNeverNames() {
    assertThat(policy.allows("198.18.3.2", 8080)).isTrue();
    assertThat(policy.allows("198.19.255.255", 8080)).isTrue();
    assertThat(policy.allows("198.20.0.1", 8080)).isFalse();
    assertThat(policy.allows("198.18.3.2", 8081)).isFalse();
    assertThat(policy.allows("::ffff:198.18.3.2", 8080)).isTrue();
    assertThat(policy.allows("pypi.org", 8080)).isFalse();
  }

  @Test
  void aBareAddressIsARangeOfOne() {
    EgressPolicy one = EgressPolicy.parse(List.of("203.0.113.7"));
    assertThat(one.allows("203.0.113.7", 5432)).isTrue();
    assertThat(one.allows("203.0.113.8", 5432)).isFalse();
  }

  @Test
  void lookupsAreAnsweredForNamesAllowedOnSomePort() {
    assertThat(policy.allowsLookup("pypi.org.")).isTrue();
    assertThat(policy.allowsLookup("files.pythonhosted.org")).isTrue();
    assertThat(policy.allowsLookup("example.com")).isFalse();
    assertThat(policy.allowsLookup("pythonhosted.org")).isFalse();
  }

  @Test
  void refusesEntriesThatAreNoneOfTheForms() {
    for (String bad :
        List.of(
            "http://pypi.org", "pypi.org:0", "pypi.org:70000", "10.0.0.0/33", "300.1.1.1", "")) {
      assertThatThrownBy(() -> EgressPolicy.parse(List.of(bad)))
          .as(bad)
          .isInstanceOf(InvalidSpecException.class);
    }
    assertThatThrownBy(() -> EgressPolicy.parse(List.of()))
        .isInstanceOf(InvalidSpecException.class);
  }
}
