package io.sightline.server.lifecycle;

import java.lang.management.ManagementFactory;
import javax.management.ObjectName;

/**
 * HotSpot's diagnostic commands (what {@code jcmd <pid> <command>} runs) through the platform's
 * {@code com.sun.management:type=DiagnosticCommand} bean, for the JVM settings the server makes at start.
 */
final class DiagnosticCommand {
    private DiagnosticCommand() {}

    /**
     * The command's output. {@code operation} is the bean's name for it ({@code compilerDirectivesAdd} for
     * {@code Compiler.directives_add}); the bean joins {@code args} with spaces, so an argument with spaces is quoted.
     *
     * @throws Exception without the bean (a JVM other than HotSpot) or when the command fails
     */
    static String invoke(String operation, String... args) throws Exception {
        Object out = ManagementFactory.getPlatformMBeanServer().invoke(
                new ObjectName("com.sun.management:type=DiagnosticCommand"), operation, new Object[] {args},
                new String[] {String[].class.getName()});
        return String.valueOf(out);
    }
}
