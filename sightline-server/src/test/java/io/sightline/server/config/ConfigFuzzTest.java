package io.sightline.server.config;

import com.code_intelligence.jazzer.junit.FuzzTest;

/**
 * Coverage-guided fuzzing of the config loader (Jazzer): whatever the file holds, loading either works
 * or fails with a {@link ConfigException} that starts with the file name, so the server always exits
 * with one line and code 2, never a stack trace. Regression inputs in the test phase, 30 s of fuzzing
 * during {@code verify} (see this module's POM).
 *
 * <p>Jazzer's regex-injection sanitizer is off for this module: compiling the relabel regexes an
 * operator writes is the point of the config, and an invalid one comes back as a located
 * ConfigException (the property checked here). Query-time regexes (PromQL) will need it on.
 */
class ConfigFuzzTest {
    @FuzzTest(maxDuration = "30s")
    void load(byte[] data) {
        // Raw bytes as UTF-8, so that seed files under ConfigFuzzTestInputs/load are read as written.
        String text = new String(data, java.nio.charset.StandardCharsets.UTF_8);
        try {
            ConfigLoader.parse("fuzz.yml", text);
        } catch (ConfigException e) {
            if (!e.getMessage().startsWith("fuzz.yml")) {
                throw new AssertionError("a config error without its location: " + e.getMessage());
            }
        }
    }
}
