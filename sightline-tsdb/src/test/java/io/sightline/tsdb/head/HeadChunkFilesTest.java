package io.sightline.tsdb.head;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HeadChunkFilesTest {
    @TempDir
    Path dir;

    /**
     * Property: whatever the sizes, every chunk reads back as written, from the buffer, a mapped window
     * or a positional read (windows of 8 KiB get mapped; 16 MiB ones never fill a 64 KiB file).
     */
    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.ValueSource(ints = {8 * 1024, 16 << 20})
    void writeAndRead_acrossBufferFlushesWindowsAndFileRotations_seeded(int window) throws Exception {
        Random r = new Random(7);
        try (HeadChunkFiles f = HeadChunkFiles.open(dir, 64 * 1024, 4 * 1024, window)) {
            List<byte[]> chunks = new ArrayList<>();
            List<Long> handles = new ArrayList<>();
            for (int i = 0; i < 3_000; i++) {
                byte[] c = new byte[r.nextInt(20) == 0 ? 5_000 + r.nextInt(10_000) : 1 + r.nextInt(300)];
                r.nextBytes(c);
                chunks.add(c);
                handles.add(f.write(c, i));
                if (r.nextInt(4) == 0) {
                    int k = r.nextInt(chunks.size());
                    assertThat(f.read(handles.get(k), chunks.get(k).length)).as("chunk %d after %d writes", k, i)
                            .isEqualTo(chunks.get(k));
                }
            }
            for (int k = 0; k < chunks.size(); k++) {
                assertThat(f.read(handles.get(k), chunks.get(k).length)).as("chunk %d", k).isEqualTo(chunks.get(k));
            }
            try (var files = Files.list(dir)) {
                assertThat(files.count()).as("rotated into several files").isGreaterThan(5);
            }
            if (window < 64 * 1024) {
                assertThat(f.mappedReads()).as("reads served from maps").isGreaterThan(1_000);
            } else {
                assertThat(f.mappedReads()).isZero();
            }
        }
    }

    @Test
    void interruptedThreads_doNotCloseTheFiles() throws Exception {
        try (HeadChunkFiles f = HeadChunkFiles.open(dir, 64 * 1024, 1024, 8 * 1024)) {
            List<Long> handles = new ArrayList<>();
            for (int i = 0; i < 100; i++) {
                Thread.currentThread().interrupt();
                handles.add(f.write(new byte[] {(byte) i, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19}, i));
                assertThat(Thread.interrupted()).isTrue();
            }
            for (int i = 0; i < 100; i++) {
                Thread.currentThread().interrupt();
                assertThat(f.read(handles.get(i), 20)[0]).isEqualTo((byte) i);
                assertThat(Thread.interrupted()).isTrue();
            }
        }
    }

    @Test
    void open_removesFilesOfAnEarlierRun() throws Exception {
        try (HeadChunkFiles f = HeadChunkFiles.open(dir)) {
            f.write(new byte[] {1, 2, 3}, 0);
        }
        Files.writeString(dir.resolve("README"), "kept: not a chunk file");
        try (HeadChunkFiles f = HeadChunkFiles.open(dir)) {
            try (var files = Files.list(dir)) {
                assertThat(files.map(p -> p.getFileName().toString()).sorted().toList()).containsExactly("000001", "README");
            }
        }
    }

    @Test
    void release_keepsFilesForReadersOpenedBeforeIt_throughAnyNumberOfCuts() throws Exception {
        try (HeadChunkFiles f = HeadChunkFiles.open(dir, 16 * 1024, 1024, 8 * 1024)) {
            List<Long> handles = new ArrayList<>();
            for (int i = 0; i < 1_000; i++) {
                byte[] c = new byte[100];
                c[0] = (byte) i;
                handles.add(f.write(c, i * 1000L)); // about 160 chunks per file, newest time rising
            }
            int before = f.liveFiles();
            assertThat(before).isGreaterThan(5);
            long early = f.openReader();
            // A catch-up: several cuts while a query that started before them still reads.
            for (int cut = 0; cut < 5; cut++) {
                assertThat(f.release(500_000)).as("kept for the reader opened before, cut %d", cut).isZero();
                long late = f.openReader();
                f.closeReader(late); // a reader opened after the files were released does not hold them
            }
            for (int i = 0; i < 1_000; i += 7) {
                assertThat(f.read(handles.get(i), 100)[0]).as("chunk %d readable", i).isEqualTo((byte) i);
            }
            f.closeReader(early);
            int deleted = before - f.liveFiles();
            assertThat(deleted).as("deleted when the last reader that could read them closed").isBetween(2, 4);
            try (var files = Files.list(dir)) {
                assertThat(files.count()).isEqualTo(before - deleted);
            }
            for (int i = 500; i < 1_000; i++) {
                assertThat(f.read(handles.get(i), 100)[0]).isEqualTo((byte) i);
            }
            assertThat(f.release(500_000)).as("nothing left to delete").isZero();
        }
    }

    @Test
    void release_withoutReaders_deletesAtOnce() throws Exception {
        try (HeadChunkFiles f = HeadChunkFiles.open(dir, 16 * 1024, 1024, 8 * 1024)) {
            for (int i = 0; i < 1_000; i++) {
                f.write(new byte[100], i * 1000L);
            }
            int before = f.liveFiles();
            long r = f.openReader();
            f.closeReader(r);
            assertThat(f.release(500_000)).isBetween(2, 4);
            assertThat(f.liveFiles()).isLessThan(before);
            assertThatThrownBy(() -> f.closeReader(r)).as("closed twice").isInstanceOf(IllegalStateException.class);
        }
    }
}
