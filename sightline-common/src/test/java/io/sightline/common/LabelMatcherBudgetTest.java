package io.sightline.common;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class LabelMatcherBudgetTest {

    @Test
    void catastrophicBacktracking_isAbandoned_notRunForever() {
        LabelMatcher m = LabelMatcher.regex("a", "(.*a){20}");
        long began = System.nanoTime();
        assertThatThrownBy(() -> m.matches("a".repeat(40) + "c"))
                .isInstanceOf(LabelMatcher.MatchTooExpensive.class)
                .hasMessageContaining("a=~\"(.*a){20}\"");
        assertThat(System.nanoTime() - began).isLessThan(30_000_000_000L);
    }

    @Test
    void ordinaryMatches_areUnaffected() {
        assertThat(LabelMatcher.regex("a", "api|web.*").matches("web-1")).isTrue();
        assertThat(LabelMatcher.notRegex("a", "(a+)+b").matches("aab")).isFalse();
        assertThat(LabelMatcher.regex("a", ".*" + "x".repeat(50) + ".*").matches("y".repeat(10_000))).isFalse();
    }
}
