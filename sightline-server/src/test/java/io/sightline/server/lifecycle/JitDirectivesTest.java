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

    /** The README's options file leaves the directive out, so it must give the same rule itself. */
    @Test
    void smallHostOptionsFile_givesTheDirectivesRuleAsACompileCommand() throws Exception {
        java.nio.file.Path options = java.nio.file.Path.of("..", "small-host.jvmopts");
        assertThat(options).as("the options file at the repository's root").exists();
        List<String> lines = java.nio.file.Files.readAllLines(options);
        // io/sightline/*.nextBatch, from the directive's "inline: -io/sightline/*.nextBatch"
        String pattern = JitDirectives.INLINE.substring(JitDirectives.INLINE.indexOf('-') + 1);
        assertThat(lines).contains("-XX:CompileCommand=dontinline," + pattern);
        assertThat(JitDirectives.wanted(lines.stream().filter(l -> l.startsWith("-XX:")).toList(), null))
                .as("the file's options leave the directive out").isNotNull();
    }
}
