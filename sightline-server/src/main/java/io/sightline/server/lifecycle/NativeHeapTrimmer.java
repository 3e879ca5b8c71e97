package io.sightline.server.lifecycle;

import java.lang.management.ManagementFactory;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import javax.management.MBeanServer;
import javax.management.ObjectName;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Gives the C heap's free memory back to the operating system once a second, as {@code jcmd <pid>
 * System.trim_native_heap} would (glibc's {@code malloc_trim}), so that a plain {@code java -jar} gets it.
 *
 * <p>Why: the JVM's own native memory (the JIT compilers' arenas above all, up to 30 MB while a burst of new code
 * is compiled, and the buffers of zlib and other native code) comes from glibc's malloc, which keeps what is freed
 * for later instead of returning it: native memory tracking's total stayed 32-48 MB below the resident anonymous
 * memory through a benchmark run. Measured with the harness's ingest of 116 M samples (README flags, three pairs of
 * runs with and without, alternated): peak resident memory 255-266 MiB without, 243-250 MiB with a trim once a
 * second; the highest over the whole run (ingest, maintenance, the 42 queries) 322-337 against 293-325 MiB. A trim
 * takes 55-100 us when there is little to give back (docs/benchmarks.md has the figures).
 *
 * <p>One daemon thread for the JVM, started by the first server, for the JVM's life: the C heap is the process's.
 * Left out where the JVM trims by itself ({@code -XX:TrimNativeHeapInterval}, JDK 17.0.9 and later), with
 * {@code -Dsightline.native.trim.interval=0}, and where the JVM cannot trim (no glibc, no HotSpot diagnostic command
 * bean): the first answer tells, and the thread ends.
 */
final class NativeHeapTrimmer {
    private static final Logger log = LoggerFactory.getLogger(NativeHeapTrimmer.class);

    /** The system property with the interval in milliseconds; {@code 0} turns trimming off. */
    static final String PROPERTY = "sightline.native.trim.interval";

    static final long DEFAULT_INTERVAL_MS = 1000;

    /** How the diagnostic command's answer starts where the platform can trim (else it says "Not available."). */
    static final String TRIMMED = "Trim native heap";

    private static final AtomicBoolean STARTED = new AtomicBoolean();
    private static final AtomicLong TRIMS = new AtomicLong();

    private NativeHeapTrimmer() {}

    /** Starts the trimming thread unless it runs already or is not wanted; whether it runs. */
    static boolean start() {
        if (STARTED.get()) {
            return true;
        }
        synchronized (STARTED) {
            if (STARTED.get()) {
                return true;
            }
            List<String> args = ManagementFactory.getRuntimeMXBean().getInputArguments();
            String property = System.getProperty(PROPERTY);
            String skip = wanted(args, property);
            if (skip != null) {
                log.info("native heap trimming left out: {}", skip);
                return false;
            }
            long interval = interval(property);
            String first = trim();
            if (first == null || !first.contains(TRIMMED)) {
                log.debug("native heap trimming not available ({}): this JVM goes without", first);
                return false;
            }
            ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "sightline-native-trim");
                t.setDaemon(true);
                return t;
            });
            timer.scheduleWithFixedDelay(() -> {
                String answer = trim();
                if (answer == null || !answer.contains(TRIMMED)) {
                    log.warn("native heap trimming stopped: {}", answer);
                    timer.shutdown();
                }
            }, interval, interval, TimeUnit.MILLISECONDS);
            STARTED.set(true);
            log.info("native heap trimmed every {} ms: glibc keeps the memory the JVM frees (-D{}=0 turns it off)",
                    interval, PROPERTY);
            return true;
        }
    }

    /**
     * Null when trimming is wanted, else why not: the JVM trims by itself ({@code -XX:TrimNativeHeapInterval}, any
     * value: the operator's choice), or the property is {@code 0}.
     */
    static String wanted(List<String> jvmArguments, String property) {
        for (String a : jvmArguments) {
            if (a.startsWith("-XX:TrimNativeHeapInterval")) {
                return "the JVM was started with " + a;
            }
        }
        if (property != null && interval(property) == 0) {
            return "-D" + PROPERTY + "=" + property.strip();
        }
        return null;
    }

    /**
     * The interval in milliseconds the property asks for: the default when it is absent, {@code 0} (off) for zero; a
     * value that is not a whole number of milliseconds from 0 to one day gets the default, with a warning.
     */
    static long interval(String property) {
        if (property == null || property.isBlank()) {
            return DEFAULT_INTERVAL_MS;
        }
        try {
            long ms = Long.parseLong(property.strip());
            if (ms >= 0 && ms <= TimeUnit.DAYS.toMillis(1)) {
                return ms;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        log.warn("-D{}={} is not a number of milliseconds from 0 to 86400000; using {}", PROPERTY, property,
                DEFAULT_INTERVAL_MS);
        return DEFAULT_INTERVAL_MS;
    }

    /** How many trims this JVM asked for, through {@link #trim}. */
    static long trims() {
        return TRIMS.get();
    }

    /**
     * One trim through HotSpot's diagnostic command bean: its answer ({@code Trim native heap: RSS+Swap: 241M->230M
     * (-11576K)} on Linux with glibc, {@code Not available.} elsewhere), or null without the bean.
     */
    static String trim() {
        try {
            MBeanServer server = ManagementFactory.getPlatformMBeanServer();
            ObjectName name = new ObjectName("com.sun.management:type=DiagnosticCommand");
            Object out = server.invoke(name, "systemTrimNativeHeap", new Object[] {new String[0]},
                    new String[] {String[].class.getName()});
            TRIMS.incrementAndGet();
            return String.valueOf(out);
        } catch (Exception | LinkageError e) {
            log.debug("diagnostic command System.trim_native_heap unavailable: {}", e.toString());
            return null;
        }
    }
}
