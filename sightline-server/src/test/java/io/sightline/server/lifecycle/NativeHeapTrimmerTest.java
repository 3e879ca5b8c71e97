package io.sightline.server.lifecycle;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.zip.Deflater;
import org.junit.jupiter.api.Test;

/**
 * A trim gives glibc's freed memory back (resident memory falls), the trimming thread runs on its own once started,
 * and it is left out where the JVM trims by itself or the property turns it off.
 */
class NativeHeapTrimmerTest {

    @Test
    void trim_returnsFreedCHeapMemory() throws IOException {
        String probe = NativeHeapTrimmer.trim();
        assumeThat(probe).as("a JVM that can trim its C heap (HotSpot on Linux with glibc; this one: %s, %s)",
                System.getProperty("java.vm.name"), System.getProperty("os.name")).isNotNull()
                .contains(NativeHeapTrimmer.TRIMMED);
        // zlib's compressors take their windows and tables from malloc: 400 of them, each used once, then all but
        // every eighth freed, leave holes glibc keeps without a trim (the live ones pin the memory between them)
        byte[] input = new byte[64 << 10];
        new Random(7).nextBytes(input);
        byte[] output = new byte[80 << 10];
        List<Deflater> all = new ArrayList<>();
        for (int i = 0; i < 400; i++) {
            Deflater d = new Deflater(Deflater.BEST_SPEED);
            d.setInput(input);
            d.finish();
            d.deflate(output);
            all.add(d);
        }
        long before;
        long after;
        String answer;
        synchronized (NativeHeapTrimmer.class) { // no trim by the thread (another test may have started it) meanwhile
            for (int i = 0; i < all.size(); i++) {
                if (i % 8 != 0) {
                    all.get(i).end();
                }
            }
            before = residentKiB();
            answer = NativeHeapTrimmer.trim();
            after = residentKiB();
        }
        all.forEach(Deflater::end);
        assertThat(answer).contains(NativeHeapTrimmer.TRIMMED);
        assertThat(before - after).as("resident KiB given back, %d -> %d (%s)", before, after, answer)
                .isGreaterThan(16 << 10);
    }

    @Test
    void started_trimsOnItsOwn() throws InterruptedException {
        assumeThat(NativeHeapTrimmer.trim()).as("a JVM that can trim its C heap").isNotNull()
                .contains(NativeHeapTrimmer.TRIMMED);
        assumeThat(NativeHeapTrimmer.wanted(NativeHeapTrimmer.jvmTrims(),
                NativeHeapTrimmer.interval(System.getProperty(NativeHeapTrimmer.PROPERTY))))
                .as("trimming not turned off for this test run").isNull();
        assertThat(NativeHeapTrimmer.start()).isTrue();
        assertThat(NativeHeapTrimmer.start()).as("started once").isTrue();
        long seen = NativeHeapTrimmer.trims();
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (NativeHeapTrimmer.trims() < seen + 2 && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        assertThat(NativeHeapTrimmer.trims()).as("trims by the thread within 10 s").isGreaterThanOrEqualTo(seen + 2);
        assertThat(Thread.getAllStackTraces().keySet()).filteredOn(t -> t.getName().equals("sightline-native-trim"))
                .hasSize(1).allMatch(Thread::isDaemon);
    }

    @Test
    void leftOut_whereTheJvmTrims_orWhenTurnedOff() {
        assertThat(NativeHeapTrimmer.wanted(null, 1000)).isNull();
        assertThat(NativeHeapTrimmer.wanted("-XX:TrimNativeHeapInterval=5000", 1000))
                .contains("-XX:TrimNativeHeapInterval=5000");
        assertThat(NativeHeapTrimmer.wanted("-XX:TrimNativeHeapInterval=0", 1000)).as("the operator's 0 too")
                .isNotNull();
        assertThat(NativeHeapTrimmer.wanted(null, 0)).contains("-Dsightline.native.trim.interval=0");
        boolean flagged = java.lang.management.ManagementFactory.getRuntimeMXBean().getInputArguments().stream()
                .anyMatch(a -> a.startsWith("-XX:TrimNativeHeapInterval"));
        assumeThat(flagged).as("this test JVM started without -XX:TrimNativeHeapInterval").isFalse();
        assertThat(NativeHeapTrimmer.jvmTrims()).as("the option left at its default").isNull();
    }

    @Test
    void interval_fromTheProperty() {
        assertThat(NativeHeapTrimmer.interval(null)).isEqualTo(NativeHeapTrimmer.DEFAULT_INTERVAL_MS);
        assertThat(NativeHeapTrimmer.interval(" 250 ")).isEqualTo(250);
        assertThat(NativeHeapTrimmer.interval("0")).isZero();
        assertThat(NativeHeapTrimmer.interval("100")).isEqualTo(100);
        assertThat(NativeHeapTrimmer.interval("99")).as("below the shortest")
                .isEqualTo(NativeHeapTrimmer.DEFAULT_INTERVAL_MS);
        assertThat(NativeHeapTrimmer.interval("-5")).isEqualTo(NativeHeapTrimmer.DEFAULT_INTERVAL_MS);
        assertThat(NativeHeapTrimmer.interval("1s")).isEqualTo(NativeHeapTrimmer.DEFAULT_INTERVAL_MS);
        assertThat(NativeHeapTrimmer.interval("86400001")).isEqualTo(NativeHeapTrimmer.DEFAULT_INTERVAL_MS);
    }

    private static long residentKiB() throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", ""));
            }
        }
        throw new AssertionError("no VmRSS in /proc/self/status");
    }
}
