package io.sightline.server.lifecycle;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

import org.junit.jupiter.api.Test;

/** The JIT directive is in force once a server started, once however many servers a JVM starts. */
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
    }
}
