package io.sightline.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** A real OS child process (the server as a user runs it) and every line it has printed. */
public final class ChildProcess implements AutoCloseable {
    private final Process process;
    private final List<String> stdout = Collections.synchronizedList(new ArrayList<>());
    private final List<String> stderr = Collections.synchronizedList(new ArrayList<>());
    private final List<Thread> pumps = new ArrayList<>();

    private ChildProcess(Process process) {
        this.process = process;
        pumps.add(pump(process.getInputStream(), stdout));
        pumps.add(pump(process.getErrorStream(), stderr));
    }

    /** Runs {@code java <jvmArgs...>} with this JVM's java binary, in {@code workDir}. */
    public static ChildProcess java(Path workDir, List<String> jvmArgs) throws IOException {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(jvmArgs);
        return new ChildProcess(new ProcessBuilder(cmd).directory(workDir.toFile()).start());
    }

    private static Thread pump(InputStream in, List<String> sink) {
        Thread t = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
                for (String line; (line = r.readLine()) != null; ) {
                    sink.add(line);
                }
            } catch (IOException ignored) {
                // the process went away
            }
        });
        t.setDaemon(true);
        t.start();
        return t;
    }

    public Process process() {
        return process;
    }

    public List<String> stdout() {
        synchronized (stdout) {
            return List.copyOf(stdout);
        }
    }

    public List<String> stderr() {
        synchronized (stderr) {
            return List.copyOf(stderr);
        }
    }

    /** Waits until a stdout line contains {@code fragment}; false on timeout or exit. */
    public boolean waitForLine(String fragment, long millis) throws InterruptedException {
        long deadline = System.currentTimeMillis() + millis;
        while (System.currentTimeMillis() < deadline) {
            if (stdout().stream().anyMatch(l -> l.contains(fragment))) {
                return true;
            }
            if (!process.isAlive()) {
                Thread.sleep(50);
                return stdout().stream().anyMatch(l -> l.contains(fragment));
            }
            Thread.sleep(20);
        }
        return false;
    }

    /**
     * Sends a signal the way a supervisor does. Not {@link Process#destroy()}: it also closes our end of
     * the child's stdout, so the child's last lines (the shutdown log) would be lost in transit.
     */
    public void signal(String name) throws IOException, InterruptedException {
        assertThat(new ProcessBuilder("kill", "-" + name, Long.toString(process.pid())).start().waitFor()).isZero();
    }

    /** Waits for the exit and for everything printed before it; returns the exit code. */
    public int finish() throws InterruptedException {
        assertThat(process.waitFor(30, TimeUnit.SECONDS)).as("process exits within 30 s").isTrue();
        for (Thread t : pumps) {
            t.join(5_000);
        }
        return process.exitValue();
    }

    /** Everything printed, for assertion messages. */
    public String all() {
        return String.join("\n", stdout()) + "\n--- stderr ---\n" + String.join("\n", stderr());
    }

    @Override
    public void close() {
        process.destroyForcibly();
    }
}
