package org.camloss.datasets;

import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.Locale;
import java.util.zip.GZIPInputStream;
import org.camloss.api.UserException;

/**
 * Reads IDX files (the MNIST format), gzip-compressed or raw: unsigned-byte images [n, rows, cols] and
 * labels [n]. Reads only the images asked for; every defect is a {@link UserException} naming the file: a missing
 * or truncated file, data that is not valid gzip (told apart from gzip data that merely ends early), a wrong magic
 * number, a dimension outside [1, 2³¹ − 1] or images too many for one array, mismatched counts, labels out of
 * range.
 */
public final class IdxReader {
    private static final int UBYTE = 0x08;
    /** The most elements a Java array holds on common VMs. */
    static final int MAX_ARRAY = Integer.MAX_VALUE - 8;

    private IdxReader() {}

    /**
     * Reads images and labels.
     *
     * @param images  IDX image file (3 dimensions)
     * @param labels  IDX label file (1 dimension)
     * @param limit   read at most this many (0: all)
     * @param classes labels must be in [0, classes)
     * @param digest  receives the bytes read, for the fingerprint
     */
    public static ImageArrays read(Path images, Path labels, int limit, int classes, MessageDigest digest) {
        try (IdxInput im = open(images);
                IdxInput lb = open(labels)) {
            int[] idims = header(im, 3, "images");
            int[] ldims = header(lb, 1, "labels");
            if (idims[0] != ldims[0]) {
                throw new UserException(images + " has " + idims[0] + " images but " + labels + " has " + ldims[0]
                        + " labels; the two files do not belong together");
            }
            int n = limit > 0 ? Math.min(limit, idims[0]) : idims[0];
            int rows = idims[1];
            int cols = idims[2];
            long bytes = (long) n * rows * cols;
            if (bytes > MAX_ARRAY) {
                throw new UserException(String.format(
                        Locale.ROOT,
                        "%s: %d images of %dx%d are %d bytes, more than one array holds (%d); the header is corrupt, "
                                + "or read fewer with train_limit/test_limit",
                        images,
                        n,
                        rows,
                        cols,
                        bytes,
                        MAX_ARRAY));
            }
            byte[] px = readFully(im, (int) bytes, n + " images of " + rows + "x" + cols);
            byte[] raw = readFully(lb, n, n + " labels");
            int[] y = new int[n];
            for (int i = 0; i < n; i++) {
                y[i] = raw[i] & 0xFF;
                if (y[i] >= classes) {
                    throw new UserException(labels + ": label " + y[i] + " of example " + i + " is out of range [0, "
                            + (classes - 1) + "]");
                }
            }
            for (int d : idims) {
                digest.update(intBytes(d));
            }
            digest.update(px);
            digest.update(raw);
            return new ImageArrays(px, y, rows, cols, 1);
        } catch (IOException e) {
            throw new UserException(images + " / " + labels + ": cannot be read (" + e.getMessage() + ")");
        }
    }

    /** An open IDX file: its stream, its path and whether it is gzip-compressed, for messages. */
    private record IdxInput(DataInputStream in, Path file, boolean gzip) implements AutoCloseable {
        @Override
        public void close() throws IOException {
            in.close();
        }

        /**
         * A read that failed: the content ended ({@code EOFException} without a message) is worded by the caller; gzip
         * data cut short (the inflater's {@code EOFException}, with its message) and data that is not gzip at all
         * are told apart here.
         */
        UserException failure(IOException e, String truncated) {
            if (e instanceof EOFException) {
                return new UserException(file + ": " + truncated
                        + (gzip && e.getMessage() != null
                                ? " (the gzip data is cut short: " + e.getMessage() + ")"
                                : ""));
            }
            if (gzip) {
                return new UserException(file + ": not valid gzip data (" + e.getMessage() + ")");
            }
            return new UserException(file + ": cannot be read (" + e.getMessage() + ")");
        }
    }

    private static IdxInput open(Path file) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new UserException(file + ": does not exist");
        }
        InputStream raw = new BufferedInputStream(Files.newInputStream(file), 1 << 16);
        raw.mark(2);
        int b0 = raw.read();
        int b1 = raw.read();
        raw.reset();
        boolean gzip = b0 == 0x1f && b1 == 0x8b;
        if (gzip) {
            try {
                raw = new BufferedInputStream(new GZIPInputStream(raw, 1 << 16), 1 << 16);
            } catch (IOException e) {
                raw.close();
                throw new UserException(file + ": not valid gzip data (" + e.getMessage() + ")");
            }
        }
        return new IdxInput(new DataInputStream(raw), file, gzip);
    }

    private static int[] header(IdxInput input, int dims, String what) {
        Path file = input.file();
        int magic;
        try {
            magic = input.in().readInt();
        } catch (IOException e) {
            throw input.failure(e, "too short for an IDX header");
        }
        int expected = (UBYTE << 8) | dims;
        if (magic != expected) {
            throw new UserException(String.format(
                    "%s: not an IDX %s file (magic number 0x%08X, expected 0x%08X)", file, what, magic, expected));
        }
        int[] d = new int[dims];
        for (int i = 0; i < dims; i++) {
            long v;
            try {
                v = Integer.toUnsignedLong(input.in().readInt());
            } catch (IOException e) {
                throw input.failure(e, "truncated IDX header");
            }
            if (v == 0 || v > Integer.MAX_VALUE) {
                throw new UserException(file + ": dimension " + i + " of the IDX header is " + v
                        + "; it must be in [1, " + Integer.MAX_VALUE + "] (a corrupt header?)");
            }
            d[i] = (int) v;
        }
        return d;
    }

    /** Reads {@code length} bytes, growing the buffer as data arrives (a corrupt header cannot claim memory). */
    private static byte[] readFully(IdxInput input, int length, String what) {
        byte[] buf;
        try {
            buf = input.in().readNBytes(length);
        } catch (IOException e) {
            throw input.failure(e, "truncated; expected " + what + " (" + length + " bytes)");
        }
        if (buf.length < length) {
            throw input.failure(new EOFException(), "truncated; expected " + what + " (" + length + " bytes)");
        }
        return buf;
    }

    private static byte[] intBytes(int v) {
        return new byte[] {(byte) (v >>> 24), (byte) (v >>> 16), (byte) (v >>> 8), (byte) v};
    }
}
