package io.sightline.tsdb.fileio;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

class ZstdCodecTest {

    /** Compressible bytes: runs and small deltas, as chunks and WAL records are. */
    private static byte[] sample(Random r, int n) {
        byte[] b = new byte[n];
        int v = 0;
        for (int i = 0; i < n; i++) {
            v += r.nextInt(5) == 0 ? r.nextInt(7) - 3 : 0;
            b[i] = (byte) v;
        }
        return b;
    }

    @Test
    void roundTripsSeededRangesAtSeveralLevels() {
        Random r = new Random(20261205L);
        for (int i = 0; i < 500; i++) {
            byte[] data = r.nextBoolean() ? sample(r, r.nextInt(70_000)) : randomBytes(r, r.nextInt(5_000));
            int from = data.length == 0 ? 0 : r.nextInt(data.length);
            int length = data.length - from == 0 ? 0 : r.nextInt(data.length - from + 1);
            int level = 1 + r.nextInt(6);
            byte[] frame = ZstdCodec.compress(data, from, length, level);
            byte[] padded = new byte[frame.length + 10];
            System.arraycopy(frame, 0, padded, 3, frame.length);
            assertThat(ZstdCodec.decompress(padded, 3, frame.length, length))
                    .as("case %d: %d bytes from %d at level %d", i, length, from, level)
                    .isEqualTo(Arrays.copyOfRange(data, from, from + length));
        }
    }

    @Test
    void compressBound_isTheLibrarys() {
        Random r = new Random(5);
        for (int i = 0; i < 2000; i++) {
            int n = i < 1000 ? i : r.nextInt(i < 1500 ? 300_000 : Integer.MAX_VALUE / 2);
            assertThat(ZstdCodec.compressBound(n)).as("%d bytes", n)
                    .isEqualTo((int) Math.min(Integer.MAX_VALUE - 16, com.github.luben.zstd.Zstd.compressBound(n)));
        }
    }

    @Test
    void bareFrames_roundTrip_andAreSmallerThanFramed() {
        Random r = new Random(9);
        for (int i = 0; i < 300; i++) {
            byte[] data = r.nextBoolean() ? sample(r, 1 + r.nextInt(5_000)) : randomBytes(r, 1 + r.nextInt(3_000));
            byte[] bare = new byte[ZstdCodec.compressBound(data.length)];
            int level = 1 + r.nextInt(3);
            int z = ZstdCodec.compressBare(data, 0, data.length, level, bare);
            assertThat(z).isLessThan(ZstdCodec.compress(data, 0, data.length, level).length);
            byte[] out = new byte[data.length + 4];
            ZstdCodec.decompressBare(bare, 0, z, out, 2, data.length);
            assertThat(Arrays.copyOfRange(out, 2, 2 + data.length)).isEqualTo(data);
            assertThatThrownBy(() -> ZstdCodec.decompressBare(bare, 0, z, out, 0, data.length - 1))
                    .isInstanceOf(IllegalArgumentException.class);
        }
    }

    @Test
    void framesAreThoseOfTheLibrary() {
        byte[] data = sample(new Random(7), 20_000);
        byte[] frame = ZstdCodec.compress(data, 0, data.length, 3);
        assertThat(com.github.luben.zstd.Zstd.decompress(frame, data.length)).isEqualTo(data);
        assertThat(ZstdCodec.decompress(com.github.luben.zstd.Zstd.compress(data, 3), 0,
                com.github.luben.zstd.Zstd.compress(data, 3).length, data.length)).isEqualTo(data);
    }

    @Test
    void rejectsWrongSizesAndDamagedFrames() {
        byte[] data = sample(new Random(11), 10_000);
        byte[] frame = ZstdCodec.compress(data, 0, data.length, 1);
        assertThatThrownBy(() -> ZstdCodec.decompress(frame, 0, frame.length, data.length - 1))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("9999 bytes");
        assertThatThrownBy(() -> ZstdCodec.decompress(frame, 0, frame.length, data.length + 1))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> ZstdCodec.decompress(frame, 0, frame.length / 2, data.length))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> ZstdCodec.decompress(new byte[] {1, 2, 3, 4, 5}, 0, 5, 10))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> ZstdCodec.decompress(frame, 0, frame.length, -1))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> ZstdCodec.decompress(frame, frame.length, 0, 10))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> ZstdCodec.decompress(frame, 2, frame.length, 10))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("outside");
        Random r = new Random(12);
        for (int i = 0; i < 2_000; i++) {
            byte[] bad = frame.clone();
            bad[r.nextInt(bad.length)] ^= (byte) (1 + r.nextInt(255));
            try {
                byte[] out = ZstdCodec.decompress(bad, 0, bad.length, data.length);
                assertThat(out).hasSize(data.length);
            } catch (IllegalArgumentException expected) {
                assertThat(expected.getMessage()).matches("(?s)(zstd: |frame holds ).+");
            }
        }
        // the pool still works after all those failures
        assertThat(ZstdCodec.decompress(frame, 0, frame.length, data.length)).isEqualTo(data);
    }

    @Test
    void manyThreadsAtOnceGetTheirOwnContexts() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(ZstdCodec.POOLED + 4);
        try {
            List<Future<Boolean>> results = new ArrayList<>();
            for (int t = 0; t < ZstdCodec.POOLED + 4; t++) {
                long seed = t;
                results.add(pool.submit(() -> {
                    Random r = new Random(seed);
                    for (int i = 0; i < 200; i++) {
                        byte[] data = sample(r, r.nextInt(30_000));
                        byte[] frame = ZstdCodec.compress(data, 0, data.length, 1 + (i % 3));
                        if (!Arrays.equals(data, ZstdCodec.decompress(frame, 0, frame.length, data.length))) {
                            return false;
                        }
                    }
                    return true;
                }));
            }
            for (Future<Boolean> f : results) {
                assertThat(f.get()).isTrue();
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void pool_keepsAtMostPooled_andNeverHandsOneContextToTwoThreads_andReuses() throws Exception {
        ZstdCodec.Pool<Object> p = new ZstdCodec.Pool<>();
        List<Object> given = new ArrayList<>();
        for (int i = 0; i < ZstdCodec.POOLED; i++) {
            Object o = new Object();
            given.add(o);
            assertThat(p.give(o)).isTrue();
        }
        assertThat(p.give(new Object())).as("full").isFalse();
        List<Object> taken = new ArrayList<>();
        for (Object o = p.take(); o != null; o = p.take()) {
            taken.add(o);
        }
        assertThat(taken).containsExactlyInAnyOrderElementsOf(given);

        java.util.concurrent.ConcurrentHashMap<Object, Thread> holders = new java.util.concurrent.ConcurrentHashMap<>();
        java.util.concurrent.atomic.AtomicInteger created = new java.util.concurrent.atomic.AtomicInteger();
        ExecutorService threads = Executors.newFixedThreadPool(6);
        try {
            List<Future<Boolean>> results = new ArrayList<>();
            for (int t = 0; t < 6; t++) {
                results.add(threads.submit(() -> {
                    for (int i = 0; i < 50_000; i++) {
                        Object o = p.take();
                        if (o == null) {
                            o = new Object();
                            created.incrementAndGet();
                        }
                        if (holders.putIfAbsent(o, Thread.currentThread()) != null) {
                            return false; // held by another thread already
                        }
                        holders.remove(o);
                        p.give(o);
                    }
                    return true;
                }));
            }
            for (Future<Boolean> f : results) {
                assertThat(f.get()).as("a context held by one thread at a time").isTrue();
            }
        } finally {
            threads.shutdownNow();
        }
        assertThat(created.get()).as("reused, not made anew each time").isLessThan(6 * 50_000 / 10);
    }

    private static byte[] randomBytes(Random r, int n) {
        byte[] b = new byte[n];
        r.nextBytes(b);
        return b;
    }
}
