package io.sightline.server.logging;

import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.IThrowableProxy;
import ch.qos.logback.classic.spi.StackTraceElementProxy;
import ch.qos.logback.core.encoder.EncoderBase;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Locale;
import java.util.Map;
import org.slf4j.event.KeyValuePair;

/**
 * Writes each logging event as exactly one line, in logfmt or JSON. Structured fields come from SLF4J 2's
 * key/value API ({@code log.atInfo().addKeyValue("k", v)}) and from the MDC (the request id). A throwable
 * is folded into the same line ({@code err} plus a compact stack for unexpected errors) so that log
 * shippers never see half an event.
 */
public final class LineEncoder extends EncoderBase<ILoggingEvent> {
    private static final DateTimeFormatter TS =
            DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(ZoneOffset.UTC);

    private LogFormat format = LogFormat.LOGFMT;

    public void setFormat(String format) {
        this.format = LogFormat.valueOf(format.toUpperCase(Locale.ROOT));
    }

    public void setFormat(LogFormat format) {
        this.format = format;
    }

    @Override
    public byte[] headerBytes() {
        return null;
    }

    @Override
    public byte[] footerBytes() {
        return null;
    }

    @Override
    public byte[] encode(ILoggingEvent event) {
        Line line = format == LogFormat.JSON ? new JsonLine() : new LogfmtLine();
        line.field("ts", TS.format(Instant.ofEpochMilli(event.getTimeStamp())));
        line.field("level", event.getLevel().toString().toLowerCase(Locale.ROOT));
        line.field("logger", shortName(event.getLoggerName()));
        line.field("msg", event.getFormattedMessage());
        if (event.getKeyValuePairs() != null) {
            for (KeyValuePair kv : event.getKeyValuePairs()) {
                line.field(kv.key, String.valueOf(kv.value));
            }
        }
        Map<String, String> mdc = event.getMDCPropertyMap();
        if (mdc != null) {
            mdc.forEach(line::field);
        }
        IThrowableProxy t = event.getThrowableProxy();
        if (t != null) {
            line.field("err", t.getClassName() + ": " + t.getMessage());
            line.field("stack", stack(t));
        }
        return line.finish().getBytes(StandardCharsets.UTF_8);
    }

    private static String shortName(String logger) {
        int dot = logger.lastIndexOf('.');
        return dot < 0 ? logger : logger.substring(dot + 1);
    }

    private static String stack(IThrowableProxy t) {
        StringBuilder sb = new StringBuilder();
        for (IThrowableProxy cur = t; cur != null; cur = cur.getCause()) {
            if (cur != t) {
                sb.append(" | caused by ").append(cur.getClassName()).append(": ").append(cur.getMessage());
            }
            StackTraceElementProxy[] frames = cur.getStackTraceElementProxyArray();
            for (int i = 0; i < Math.min(frames.length, 12); i++) {
                sb.append(" at ").append(frames[i].getStackTraceElement());
            }
        }
        return sb.toString();
    }

    private interface Line {
        void field(String key, String value);

        String finish();
    }

    private static final class LogfmtLine implements Line {
        private final StringBuilder sb = new StringBuilder(160);

        @Override
        public void field(String key, String value) {
            if (sb.length() > 0) {
                sb.append(' ');
            }
            sb.append(key).append('=');
            String v = value == null ? "" : value;
            boolean quote = v.isEmpty();
            for (int i = 0; i < v.length() && !quote; i++) {
                char c = v.charAt(i);
                quote = c <= ' ' || c == '"' || c == '=' || c == '\\';
            }
            if (!quote) {
                sb.append(v);
                return;
            }
            sb.append('"');
            for (int i = 0; i < v.length(); i++) {
                char c = v.charAt(i);
                switch (c) {
                    case '"' -> sb.append("\\\"");
                    case '\\' -> sb.append("\\\\");
                    case '\n' -> sb.append("\\n");
                    case '\r' -> sb.append("\\r");
                    case '\t' -> sb.append("\\t");
                    default -> sb.append(c < ' ' ? ' ' : c);
                }
            }
            sb.append('"');
        }

        @Override
        public String finish() {
            return sb.append('\n').toString();
        }
    }

    private static final class JsonLine implements Line {
        private final StringBuilder sb = new StringBuilder(200).append('{');

        @Override
        public void field(String key, String value) {
            if (sb.length() > 1) {
                sb.append(',');
            }
            quote(key);
            sb.append(':');
            quote(value == null ? "" : value);
        }

        private void quote(String s) {
            io.sightline.common.JsonStrings.quote(s, sb);
        }

        @Override
        public String finish() {
            return sb.append("}\n").toString();
        }
    }
}
