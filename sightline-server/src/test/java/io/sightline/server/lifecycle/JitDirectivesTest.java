package io.sightline.server.lifecycle;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The JIT directive is in force after {@code install()}, once however often it is called (each server start calls it),
 * and left out where the operator set JIT options or turned it off.
 */
class JitDirectivesTest {

    @Test
    void directive_isInForce_once() {
        String before = JitDirectives.print();
        assumeThat(before).as("HotSpot's diagnostic command bean (this JVM: %s)", System.getProperty("java.vm.name"))
                .isNotNull();
        assertThat(JitDirectives.install()).isTrue();
        assertThat(JitDirectives.install()).isTrue();
        String after = JitDirectives.print();
        assertThat(after).contains("matching: io/sightline/*.*").contains("inline: -io/sightline/*.nextBatch");
        assertThat(after.split("matching: io/sightline/\\*\\.\\*", -1)).as("added once").hasSize(2);
        assertThat(after).contains(JitDirectives.INLINE);
    }

    @Test
    void leftOut_forTheOperatorsJitOptions_orWhenTurnedOff() {
        assertThat(JitDirectives.wanted(List.of("-Xmx256m", "-XX:+UseSerialGC"), null)).isNull();
        assertThat(JitDirectives.wanted(List.of(), "true")).isNull();
        assertThat(JitDirectives.wanted(List.of(), "false")).contains("-Dsightline.jit.directives=false");
        assertThat(JitDirectives.wanted(List.of("-XX:CompileCommand=quiet"), null))
                .contains("-XX:CompileCommand=quiet");
        assertThat(JitDirectives.wanted(List.of("-XX:CompilerDirectivesFile=/etc/d.json"), null))
                .contains("-XX:CompilerDirectivesFile=/etc/d.json");
        assertThat(JitDirectives.wanted(List.of("-XX:CompileCommandFile=c.txt"), null)).isNotNull();
    }
}
