package io.sightline.server.lifecycle;

import java.lang.management.ManagementFactory;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
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
 * Left out where the JVM trims by itself ({@code -XX:TrimNativeHeapInterval} set, JDK 17.0.9 and later), with
 * {@code -Dsightline.native.trim.interval=0}, and where the JVM cannot trim (no glibc, no HotSpot diagnostic command
 * bean): a first trim at start tells, and then no thread is started. Three failed trims in a row stop the thread,
 * with a warning naming the cause.
 */
final class NativeHeapTrimmer {
    private static final Logger log = LoggerFactory.getLogger(NativeHeapTrimmer.class);

    /** The system property with the interval in milliseconds; {@code 0} turns trimming off. */
    static final String PROPERTY = "sightline.native.trim.interval";

    static final long DEFAULT_INTERVAL_MS = 1000;

    /** How the diagnostic command's answer starts where the platform can trim (else it says "Not available."). */
    static final String TRIMMED = "Trim native heap";

    /** Guarded by the class. */
    private static boolean started;
    private static final AtomicLong TRIMS = new AtomicLong();

    private NativeHeapTrimmer() {}

    /** Starts the trimming thread unless it runs already or is not wanted; whether it runs. */
    static synchronized boolean start() {
        if (started) {
            return true;
        }
        long interval = interval(System.getProperty(PROPERTY));
        String skip = wanted(jvmTrims(), interval);
        if (skip != null) {
            log.info("native heap trimming left out: {}", skip);
            return false;
        }
        String first = trim();
        if (first == null || !first.contains(TRIMMED)) {
            log.debug("native heap trimming not available ({}): this JVM goes without",
                    first == null ? lastFailure : first);
            return false;
        }
        ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "sightline-native-trim");
            t.setDaemon(true);
            return t;
        });
        int[] failures = new int[1];
        timer.scheduleWithFixedDelay(() -> {
            String answer;
            try {
                answer = trim();
            } catch (Throwable e) { // a throw would end the schedule without a word
                lastFailure = e.toString();
                answer = null;
            }
            if (answer != null && answer.contains(TRIMMED)) {
                failures[0] = 0;
            } else if (++failures[0] >= 3) {
                log.warn("native heap trimming stopped after three failed trims in a row: {}",
                        answer == null ? lastFailure : answer);
                timer.shutdown();
            }
        }, interval, interval, TimeUnit.MILLISECONDS);
        started = true;
        log.info("native heap trimmed every {} ms: glibc keeps the memory the JVM frees (-D{}=0 turns it off)",
                interval, PROPERTY);
        return true;
    }

    /**
     * How the JVM trims by itself: {@code -XX:TrimNativeHeapInterval=<value>} when the operator set the option (on the
     * command line, in a flags file or through {@code JAVA_TOOL_OPTIONS}, even to 0: their choice), else null (not
     * set, or a JVM without it).
     */
    static String jvmTrims() {
        try {
            var bean = ManagementFactory.getPlatformMXBean(com.sun.management.HotSpotDiagnosticMXBean.class);
            if (bean == null) {
                return null;
            }
            var option = bean.getVMOption("TrimNativeHeapInterval");
            return option.getOrigin() == com.sun.management.VMOption.Origin.DEFAULT ? null
                    : "-XX:TrimNativeHeapInterval=" + option.getValue();
        } catch (RuntimeException | LinkageError e) {
            return null; // no such option here (before JDK 17.0.9), or no HotSpot bean
        }
    }

    /**
     * Null when trimming is wanted, else why not: the JVM trims by itself ({@code jvmTrims}, from {@link #jvmTrims}),
     * or the interval is 0.
     */
    static String wanted(String jvmTrims, long interval) {
        if (jvmTrims != null) {
            return "the JVM was started with " + jvmTrims;
        }
        if (interval == 0) {
            return "-D" + PROPERTY + "=0";
        }
        return null;
    }

    /** The shortest interval taken: a trim locks each of glibc's arenas in turn. */
    static final long MIN_INTERVAL_MS = 100;

    /**
     * The interval in milliseconds the property asks for: the default when it is absent, {@code 0} (off) for zero; a
     * value that is not a whole number of milliseconds from {@value #MIN_INTERVAL_MS} to one day gets the default,
     * with a warning.
     */
    static long interval(String property) {
        if (property == null || property.isBlank()) {
            return DEFAULT_INTERVAL_MS;
        }
        try {
            long ms = Long.parseLong(property.strip());
            if (ms == 0 || (ms >= MIN_INTERVAL_MS && ms <= TimeUnit.DAYS.toMillis(1))) {
                return ms;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        log.warn("-D{}={} is not 0 nor a number of milliseconds from {} to 86400000; using {}", PROPERTY, property,
                MIN_INTERVAL_MS, DEFAULT_INTERVAL_MS);
        return DEFAULT_INTERVAL_MS;
    }

    /** Why the last trim failed, for the warning. */
    private static volatile String lastFailure;

    /** How many trims this JVM asked for, through {@link #trim}. */
    static long trims() {
        return TRIMS.get();
    }

    /**
     * One trim through HotSpot's diagnostic command bean: its answer ({@code Trim native heap: RSS+Swap: 241M->230M
     * (-11576K)} on Linux with glibc, {@code Not available.} elsewhere), or null without the bean.
     * One at a time (synchronized on the class): a caller holding the class's monitor keeps the thread's trims
     * off meanwhile.
     */
    static synchronized String trim() {
        try {
            String out = DiagnosticCommand.invoke("systemTrimNativeHeap");
            TRIMS.incrementAndGet();
            return out;
        } catch (Exception | LinkageError e) {
            lastFailure = e.toString();
            log.debug("diagnostic command System.trim_native_heap unavailable: {}", lastFailure);
            return null;
        }
    }
}
