package io.sightline.server.lifecycle;

import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A compiler directive for HotSpot's JIT, added once per JVM at start, as {@code jcmd <pid> Compiler.directives_add}
 * would (JEP 165), so that a plain {@code java -jar} gets it: methods of Sightline never inline a sample iterator's
 * {@code nextBatch}.
 *
 * <p>Why: reading a series calls {@code nextBatch} once per batch of up to 512 samples, through a merge of block and
 * head iterators, each over chunk decoders of several kinds. C2 inlined that whole tree into the reading loop (70-77 kB
 * of machine code from 6 kB of bytecode, 330-550 ms of compiler time each) and compiled it again at each new iterator
 * type or first-taken branch that a new query shape brought: during one run of the benchmark's 42 queries on a fresh
 * server, the reading loop and the merge were compiled 26-31 times, 3.4-4.6 s of the 10.8-10.9 s the JIT spent, on a
 * 2-core machine where that time is taken from the queries. Called, not inlined, each {@code nextBatch} is compiled on
 * its own and the reading loop stays small: the JIT spent 7.0-7.7 s, and on a warm server 24 h range queries took less
 * time (alternated runs, both orders: {@code count_all_node_series} -17 and -26 %, {@code http_p99_by_route} -12 and
 * -6 %, {@code cpu_busy_by_host} -8 and -3 %; docs/benchmarks.md). One call per batch costs nothing measurable.
 *
 * <p>JVMs without HotSpot's diagnostic command bean (OpenJ9) go without: nothing else changes. So does a JVM started
 * with JIT settings of the operator's ({@code -XX:CompileCommand}, {@code -XX:CompilerDirectivesFile}: HotSpot applies
 * only the first matching directive, and a directive's inline list overrides CompileCommand), and one started with
 * {@code -Dsightline.jit.directives=false}. The directive stays for the life of the JVM.
 */
final class JitDirectives {
    private static final Logger log = LoggerFactory.getLogger(JitDirectives.class);

    /** HotSpot's directive format: for compilations of Sightline's methods, do not inline any {@code nextBatch}. */
    static final String DIRECTIVES = "[{\"match\": \"io/sightline/*.*\", \"inline\": \"-io/sightline/*.nextBatch\"}]";

    /** Guarded by the class. */
    private static boolean installed;

    private JitDirectives() {}

    /** The system property that turns the directive off: {@code -Dsightline.jit.directives=false}. */
    static final String PROPERTY = "sightline.jit.directives";

    /**
     * Adds {@link #DIRECTIVES} unless it is in force already (an earlier call, or another class loader's) or not
     * wanted ({@link #wanted}); whether it is in force.
     */
    static synchronized boolean install() {
        if (installed) {
            return true;
        }
        String skip = wanted(ManagementFactory.getRuntimeMXBean().getInputArguments(), System.getProperty(PROPERTY));
        if (skip != null) {
            log.info("JIT directive left out: {}", skip);
            return false;
        }
        String before = print();
        if (before != null && before.contains(INLINE)) {
            return installed = true;
        }
        String answer = invoke("compilerDirectivesAdd", DIRECTIVES);
        installed = answer != null && answer.contains("1 compiler directives added");
        if (installed) {
            log.info("JIT directive added: Sightline's methods call sample iterators' nextBatch instead of inlining"
                    + " it (-D{}=false leaves it out)", PROPERTY);
        } else {
            log.debug("JIT directive not added ({}): this JVM goes without", answer);
        }
        return installed;
    }

    /** How {@link #print} shows the directive's inline list. */
    static final String INLINE = "inline: -io/sightline/*.nextBatch";

    /**
     * Null when the directive is wanted, else why not: the JVM's arguments set JIT options of the operator's, or the
     * property says {@code false}.
     */
    static String wanted(java.util.List<String> jvmArguments, String property) {
        if ("false".equalsIgnoreCase(property)) {
            return "-D" + PROPERTY + "=false";
        }
        for (String a : jvmArguments) {
            if (a.startsWith("-XX:CompileCommand") || a.startsWith("-XX:CompilerDirectivesFile")) {
                return "the JVM was started with " + a + ", JIT options of the operator's that the directive would"
                        + " override (small-host.jvmopts gives the same rule as a CompileCommand)";
            }
        }
        return null;
    }

    /** The compiler directives in force, as {@code jcmd <pid> Compiler.directives_print} prints them, or null. */
    static String print() {
        return invoke("compilerDirectivesPrint", null);
    }

    /** A diagnostic command, with a file holding {@code fileText} as its argument; null if it fails. */
    private static String invoke(String operation, String fileText) {
        Path file = null;
        try {
            if (fileText == null) {
                return DiagnosticCommand.invoke(operation);
            }
            file = Files.createTempFile("sightline-jit-", ".json");
            Files.writeString(file, fileText);
            return DiagnosticCommand.invoke(operation, "\"" + file + "\"");
        } catch (Exception | LinkageError e) {
            log.debug("diagnostic command {} unavailable: {}", operation, e.toString());
            return null;
        } finally {
            if (file != null) {
                try {
                    Files.deleteIfExists(file);
                } catch (java.io.IOException e) {
                    log.debug("cannot delete {}: {}", file, e.toString());
                }
            }
        }
    }
}
