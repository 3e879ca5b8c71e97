package io.sightline.server.metrics;

import com.sun.management.UnixOperatingSystemMXBean;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.OperatingSystemMXBean;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The process metrics every Prometheus client library exports under the same names
 * ({@code process_cpu_seconds_total}, {@code process_open_fds}, {@code process_max_fds},
 * {@code process_resident_memory_bytes}, {@code process_virtual_memory_bytes}), so that existing
 * dashboards and alerts for "any Prometheus target" work on Sightline unchanged. Memory figures come
 * from {@code /proc/self/status} and are NaN where there is no procfs.
 */
final class StandardProcessMetrics implements MeterBinder {
    private static final Path STATUS = Path.of("/proc/self/status");

    @Override
    public void bindTo(MeterRegistry registry) {
        OperatingSystemMXBean os = ManagementFactory.getOperatingSystemMXBean();
        if (os instanceof com.sun.management.OperatingSystemMXBean sun) {
            FunctionCounter.builder("process.cpu.seconds", sun, b -> b.getProcessCpuTime() / 1e9)
                    .description("Total user and system CPU time spent in seconds.")
                    .register(registry);
        }
        if (os instanceof UnixOperatingSystemMXBean unix) {
            Gauge.builder("process.open.fds", unix, UnixOperatingSystemMXBean::getOpenFileDescriptorCount)
                    .description("Number of open file descriptors.").register(registry);
            Gauge.builder("process.max.fds", unix, UnixOperatingSystemMXBean::getMaxFileDescriptorCount)
                    .description("Maximum number of open file descriptors.").register(registry);
        }
        Gauge.builder("process.resident.memory", () -> statusKib("VmRSS:") * 1024)
                .baseUnit("bytes").description("Resident memory size in bytes.").register(registry);
        Gauge.builder("process.virtual.memory", () -> statusKib("VmSize:") * 1024)
                .baseUnit("bytes").description("Virtual memory size in bytes.").register(registry);
    }

    /** A {@code kB} figure from /proc/self/status, or NaN. */
    static double statusKib(String key) {
        try {
            for (String line : Files.readAllLines(STATUS)) {
                if (line.startsWith(key)) {
                    String[] parts = line.substring(key.length()).trim().split("\\s+");
                    return Double.parseDouble(parts[0]);
                }
            }
        } catch (IOException | RuntimeException e) {
            return Double.NaN;
        }
        return Double.NaN;
    }
}
