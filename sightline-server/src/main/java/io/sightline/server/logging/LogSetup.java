package io.sightline.server.logging;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.core.ConsoleAppender;
import org.slf4j.LoggerFactory;

/** Points all logging at stdout in the chosen format and level; called once by the CLI before work starts. */
public final class LogSetup {
    private LogSetup() {}

    public static void configure(LogFormat format, Level level) {
        LoggerContext ctx = (LoggerContext) LoggerFactory.getILoggerFactory();
        ctx.reset();
        apply(ctx, format, level);
    }

    /** Sets up a fresh context: one stdout appender in {@code format}, the root at {@code level}. */
    static void apply(LoggerContext ctx, LogFormat format, Level level) {
        LineEncoder encoder = new LineEncoder();
        encoder.setContext(ctx);
        encoder.setFormat(format);
        encoder.start();
        ConsoleAppender<ch.qos.logback.classic.spi.ILoggingEvent> appender = new ConsoleAppender<>();
        appender.setContext(ctx);
        appender.setName("stdout");
        appender.setEncoder(encoder);
        appender.start();
        Logger root = ctx.getLogger(Logger.ROOT_LOGGER_NAME);
        root.setLevel(level);
        root.addAppender(appender);
        // Netty and Armeria explain their internals at INFO; keep our own lines the ones people see.
        ctx.getLogger("io.netty").setLevel(Level.WARN);
        ctx.getLogger("com.linecorp.armeria").setLevel(level.isGreaterOrEqual(Level.WARN) ? level : Level.WARN);
    }

    /** Flushes and stops logging; the last call before the process exits. */
    public static void shutdown() {
        ((LoggerContext) LoggerFactory.getILoggerFactory()).stop();
    }
}
