package io.sightline.server.logging;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.Configurator;
import ch.qos.logback.classic.spi.ConfiguratorRank;
import ch.qos.logback.core.spi.ContextAwareBase;

/**
 * Logging until the CLI applies its format and level flags ({@link LogSetup}): logfmt lines on stdout at
 * INFO, Netty and Armeria at WARN. Found by logback through {@code META-INF/services}, so that no
 * {@code logback.xml} is parsed at start-up (the XML configurator and the JDK's XML parser were some 250
 * classes). A {@code -Dlogback.configurationFile} given by the user still wins: logback's own configurators
 * then run.
 */
@ConfiguratorRank(ConfiguratorRank.CUSTOM_NORMAL_PRIORITY)
public final class DefaultLogConfigurator extends ContextAwareBase implements Configurator {
    @Override
    public ExecutionStatus configure(LoggerContext ctx) {
        if (System.getProperty("logback.configurationFile") != null) {
            return ExecutionStatus.INVOKE_NEXT_IF_ANY;
        }
        LogSetup.apply(ctx, LogFormat.LOGFMT, Level.INFO);
        return ExecutionStatus.DO_NOT_INVOKE_NEXT_IF_ANY;
    }
}
