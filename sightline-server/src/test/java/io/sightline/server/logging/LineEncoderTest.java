package io.sightline.server.logging;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.LoggingEvent;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.slf4j.event.KeyValuePair;

class LineEncoderTest {
    static String encode(LogFormat format, String message, Throwable t, KeyValuePair... kvs) {
        LoggerContext ctx = (LoggerContext) org.slf4j.LoggerFactory.getILoggerFactory();
        LineEncoder enc = new LineEncoder();
        enc.setContext(ctx);
        enc.setFormat(format);
        enc.start();
        LoggingEvent e = new LoggingEvent("x", ctx.getLogger("io.sightline.test.Thing"), Level.WARN, message, t, null);
        e.setTimeStamp(1_795_000_000_123L);
        for (KeyValuePair kv : kvs) {
            e.addKeyValuePair(kv);
        }
        return new String(enc.encode(e), StandardCharsets.UTF_8);
    }

    @Test
    void logfmt_quotesAndEscapes_onOneLine() {
        String line = encode(LogFormat.LOGFMT, "multi\nline \"quoted\"", null,
                new KeyValuePair("path", "/a b"), new KeyValuePair("n", 42), new KeyValuePair("empty", ""));
        assertThat(line).isEqualTo("ts=2026-11-18T11:06:40.123Z level=warn logger=Thing msg=\"multi\\nline \\\"quoted\\\"\""
                + " path=\"/a b\" n=42 empty=\"\"\n");
    }

    @Test
    void json_isOneValidObjectPerLine_withException() throws Exception {
        Exception cause = new IllegalStateException("inner\nproblem");
        String line = encode(LogFormat.JSON, "boom \u0001", new RuntimeException("outer", cause),
                new KeyValuePair("request_id", "abc"));
        assertThat(line).endsWith("}\n");
        assertThat(line.substring(0, line.length() - 1)).doesNotContain("\n");
        JsonNode node = new ObjectMapper().readTree(line);
        assertThat(node.get("level").asText()).isEqualTo("warn");
        assertThat(node.get("msg").asText()).isEqualTo("boom \u0001");
        assertThat(node.get("request_id").asText()).isEqualTo("abc");
        assertThat(node.get("err").asText()).isEqualTo("java.lang.RuntimeException: outer");
        assertThat(node.get("stack").asText()).contains("caused by java.lang.IllegalStateException: inner\nproblem")
                .contains(" at io.sightline.server.logging.LineEncoderTest");
    }

    @Test
    void logfmt_exceptionStaysOnOneLine() {
        String line = encode(LogFormat.LOGFMT, "failed", new RuntimeException("x\ny"));
        assertThat(line.chars().filter(c -> c == '\n').count()).isEqualTo(1);
        assertThat(line).contains("err=\"java.lang.RuntimeException: x\\ny\"");
        assertThat(List.of(line.split(" "))).anySatisfy(p -> assertThat(p).startsWith("stack=\""));
    }
}
