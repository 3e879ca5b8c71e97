package io.sightline.server.logging;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.Configurator;
import ch.qos.logback.core.ConsoleAppender;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/** Logging before the CLI's flags apply: set up in code, found by logback as a service. */
class DefaultLogConfiguratorTest {
    @Test
    void configure_logfmtOnStdout_infoForUs_warnForNettyAndArmeria() {
        LoggerContext ctx = new LoggerContext();
        DefaultLogConfigurator c = new DefaultLogConfigurator();
        c.setContext(ctx);
        assertThat(c.configure(ctx)).isEqualTo(Configurator.ExecutionStatus.DO_NOT_INVOKE_NEXT_IF_ANY);
        var root = ctx.getLogger(ch.qos.logback.classic.Logger.ROOT_LOGGER_NAME);
        assertThat(root.getLevel()).isEqualTo(Level.INFO);
        assertThat(root.getAppender("stdout")).isInstanceOf(ConsoleAppender.class);
        assertThat(((ConsoleAppender<?>) root.getAppender("stdout")).getEncoder()).isInstanceOf(LineEncoder.class);
        assertThat(ctx.getLogger("io.netty").getEffectiveLevel()).isEqualTo(Level.WARN);
        assertThat(ctx.getLogger("com.linecorp.armeria.server").getEffectiveLevel()).isEqualTo(Level.WARN);
        assertThat(ctx.getLogger("io.sightline.tsdb").getEffectiveLevel()).isEqualTo(Level.INFO);
    }

    @Test
    void theProcessContext_isConfiguredByIt() {
        // Tests run without a logback.xml on the class path: only the service can have set this up.
        LoggerContext ctx = (LoggerContext) LoggerFactory.getILoggerFactory();
        var root = ctx.getLogger(ch.qos.logback.classic.Logger.ROOT_LOGGER_NAME);
        assertThat(root.getAppender("stdout")).isNotNull();
        assertThat(ctx.getLogger("io.netty").getEffectiveLevel()).isEqualTo(Level.WARN);
    }

    @Test
    void aConfigurationFileGivenByTheUser_isLeftToLogback() {
        System.setProperty("logback.configurationFile", "/etc/sightline/logback.xml");
        try {
            LoggerContext ctx = new LoggerContext();
            DefaultLogConfigurator c = new DefaultLogConfigurator();
            c.setContext(ctx);
            assertThat(c.configure(ctx)).isEqualTo(Configurator.ExecutionStatus.INVOKE_NEXT_IF_ANY);
            assertThat(ctx.getLogger(ch.qos.logback.classic.Logger.ROOT_LOGGER_NAME).getAppender("stdout")).isNull();
        } finally {
            System.clearProperty("logback.configurationFile");
        }
    }
}
