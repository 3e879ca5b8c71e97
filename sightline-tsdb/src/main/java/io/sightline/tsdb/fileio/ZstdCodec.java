package io.sightline.tsdb.fileio;

import com.github.luben.zstd.ZstdCompressCtx;
import com.github.luben.zstd.ZstdDecompressCtx;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * zstd compression of whole byte ranges through a bounded pool of reusable native contexts.
 *
 * <p>{@code Zstd.compress}/{@code Zstd.decompress} create and free a native context on every call:
 * a {@code malloc} of tens to hundreds of kilobytes and its set-up, once per block chunk read or written and
 * per WAL record. A context here is taken from the pool, used by one thread, and put back; at most
 * {@link #POOLED} of each kind are kept, the rest are freed at once, so the native memory held is bounded
 * whatever the number of threads.
 *
 * <p>Thread-safe. Errors of the zstd library (a frame that does not decode, a wrong size) come out as
 * {@link IllegalArgumentException} with zstd's message; callers turn them into their corruption types.
 */
public final class ZstdCodec {
    /** Contexts of each kind kept for reuse: enough for every core to compress or decode at once. */
    static final int POOLED = Math.max(2, Math.min(8, Runtime.getRuntime().availableProcessors() * 2));

    private static final Pool<ZstdCompressCtx> COMPRESSORS = new Pool<>();
    private static final Pool<ZstdDecompressCtx> DECOMPRESSORS = new Pool<>();
    private static final Pool<ZstdCompressCtx> BARE_COMPRESSORS = new Pool<>();
    private static final Pool<ZstdDecompressCtx> BARE_DECOMPRESSORS = new Pool<>();

    private ZstdCodec() {
    }

    /** One zstd frame holding {@code src[offset, offset + length)}, compressed at {@code level}. */
    public static byte[] compress(byte[] src, int offset, int length, int level) {
        java.util.Objects.checkFromIndexSize(offset, length, src.length);
        byte[] dst = new byte[compressBound(length)];
        return Arrays.copyOf(dst, compress(src, offset, length, level, dst));
    }

    /**
     * The largest frame {@link #compress} can make of {@code length} bytes: zstd's {@code ZSTD_COMPRESSBOUND},
     * computed here rather than through a native call (one per chunk plane written).
     */
    public static int compressBound(int length) {
        long n = length;
        long bound = n + (n >> 8) + (n < (128 << 10) ? ((128 << 10) - n) >> 11 : 0);
        return (int) Math.min(Integer.MAX_VALUE - 16, bound);
    }

    /**
     * Compresses {@code src[offset, offset + length)} into the start of {@code dst}, which holds at least
     * {@link #compressBound} bytes, and returns the frame's length.
     */
    public static int compress(byte[] src, int offset, int length, int level, byte[] dst) {
        return compress(COMPRESSORS, false, src, offset, length, level, dst);
    }

    /**
     * As {@link #compress(byte[], int, int, int, byte[])} but a bare frame: no magic number, no content
     * size, no checksum (5 bytes of header instead of 9 or more), for small ranges whose length and
     * integrity the caller records itself. Only {@link #decompressBare} reads it.
     */
    public static int compressBare(byte[] src, int offset, int length, int level, byte[] dst) {
        return compress(BARE_COMPRESSORS, true, src, offset, length, level, dst);
    }

    private static int compress(Pool<ZstdCompressCtx> pool, boolean bare, byte[] src, int offset,
            int length, int level, byte[] dst) {
        java.util.Objects.checkFromIndexSize(offset, length, src.length);
        if (dst.length < compressBound(length)) {
            throw new IllegalArgumentException("zstd: " + dst.length + " bytes cannot hold the frame of " + length);
        }
        ZstdCompressCtx ctx = pool.take();
        if (ctx == null) {
            ctx = new ZstdCompressCtx();
            if (bare) {
                ctx.setMagicless(true).setContentSize(false).setChecksum(false).setDictID(false);
            }
        }
        int size;
        try {
            ctx.setLevel(level);
            size = ctx.compressByteArray(dst, 0, dst.length, src, offset, length);
        } catch (RuntimeException e) {
            ctx.close();
            throw new IllegalArgumentException("zstd: " + e.getMessage(), e);
        }
        if (!pool.give(ctx)) {
            ctx.close();
        }
        return size;
    }

    /**
     * Decodes the zstd frame in {@code src[offset, offset + length)}, which must hold exactly
     * {@code rawLength} bytes.
     *
     * @throws IllegalArgumentException when the frame does not decode, its content is not rawLength bytes, or
     *     the range is outside {@code src}
     */
    public static byte[] decompress(byte[] src, int offset, int length, int rawLength) {
        if (offset < 0 || length < 0 || offset > src.length - length) {
            throw new IllegalArgumentException("frame [" + offset + ", +" + length + ") outside " + src.length
                    + " bytes");
        }
        if (rawLength < 0) {
            throw new IllegalArgumentException("negative content size " + rawLength);
        }
        byte[] dst = new byte[rawLength];
        decompress(src, offset, length, rawLength, dst);
        return dst;
    }

    /**
     * As {@link #decompress(byte[], int, int, int)}, into the first {@code rawLength} bytes of {@code dst}
     * (at least that long).
     */
    public static void decompress(byte[] src, int offset, int length, int rawLength, byte[] dst) {
        if (offset < 0 || length < 0 || offset > src.length - length) {
            throw new IllegalArgumentException("frame [" + offset + ", +" + length + ") outside " + src.length
                    + " bytes");
        }
        if (rawLength < 0 || rawLength > dst.length) {
            throw new IllegalArgumentException("content size " + rawLength + " for a buffer of " + dst.length);
        }
        decompress(DECOMPRESSORS, false, src, offset, length, dst, 0, rawLength);
    }

    /**
     * Decodes a frame {@link #compressBare} made, in {@code src[offset, offset + length)}, into {@code
     * dst[dstOffset, dstOffset + rawLength)}; it must hold exactly {@code rawLength} bytes.
     *
     * @throws IllegalArgumentException as {@link #decompress(byte[], int, int, int)}
     */
    public static void decompressBare(byte[] src, int offset, int length, byte[] dst, int dstOffset, int rawLength) {
        if (offset < 0 || length < 0 || offset > src.length - length) {
            throw new IllegalArgumentException("frame [" + offset + ", +" + length + ") outside " + src.length
                    + " bytes");
        }
        if (rawLength < 0 || dstOffset < 0 || dstOffset > dst.length - rawLength) {
            throw new IllegalArgumentException("content [" + dstOffset + ", +" + rawLength + ") outside a buffer of "
                    + dst.length);
        }
        decompress(BARE_DECOMPRESSORS, true, src, offset, length, dst, dstOffset, rawLength);
    }

    private static void decompress(Pool<ZstdDecompressCtx> pool, boolean bare, byte[] src, int offset,
            int length, byte[] dst, int dstOffset, int rawLength) {
        ZstdDecompressCtx ctx = pool.take();
        if (ctx == null) {
            ctx = new ZstdDecompressCtx();
            if (bare) {
                ctx.setMagicless(true);
            }
        }
        int size;
        try {
            size = ctx.decompressByteArray(dst, dstOffset, rawLength, src, offset, length);
        } catch (RuntimeException e) {
            ctx.close();
            throw new IllegalArgumentException("zstd: " + e.getMessage() + " (expected " + rawLength + " bytes)", e);
        }
        if (!pool.give(ctx)) {
            ctx.close();
        }
        if (size != rawLength) {
            throw new IllegalArgumentException("frame holds " + size + " bytes, expected " + rawLength);
        }
    }

    /**
     * At most {@link #POOLED} idle contexts, taken and given back without a lock: query workers take one per chunk
     * they decode, and a queue's lock made them park and wake each other (4 % of a 24 h query's CPU samples, in
     * unlocking alone).
     */
    static final class Pool<T> {
        private final AtomicReferenceArray<T> slots = new AtomicReferenceArray<>(POOLED);

        /** An idle context, or null if none is. */
        T take() {
            int start = (int) (Thread.currentThread().getId() % POOLED);
            for (int k = 0; k < POOLED; k++) {
                int i = (start + k) % POOLED;
                T t = slots.get(i);
                if (t != null && slots.compareAndSet(i, t, null)) {
                    return t;
                }
            }
            return null;
        }

        /** Keeps {@code t} for reuse; false if the pool is full (the caller frees it). */
        boolean give(T t) {
            int start = (int) (Thread.currentThread().getId() % POOLED);
            for (int k = 0; k < POOLED; k++) {
                int i = (start + k) % POOLED;
                if (slots.get(i) == null && slots.compareAndSet(i, null, t)) {
                    return true;
                }
            }
            return false;
        }
    }
}
