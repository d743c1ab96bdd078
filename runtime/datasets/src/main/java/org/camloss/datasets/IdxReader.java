package org.camloss.datasets;

import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.zip.GZIPInputStream;
import org.camloss.api.UserException;

/**
 * Reads IDX files (the MNIST format), gzip-compressed or raw: unsigned-byte images [n, rows, cols] and
 * labels [n]. Reads only the images asked for; every defect is a {@link UserException} naming the file.
 */
public final class IdxReader {
    private static final int UBYTE = 0x08;

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
        try (DataInputStream im = open(images);
                DataInputStream lb = open(labels)) {
            int[] idims = header(im, images, 3, "images");
            int[] ldims = header(lb, labels, 1, "labels");
            if (idims[0] != ldims[0]) {
                throw new UserException(images + " has " + idims[0] + " images but " + labels + " has " + ldims[0]
                        + " labels; the two files do not belong together");
            }
            int n = limit > 0 ? Math.min(limit, idims[0]) : idims[0];
            int rows = idims[1];
            int cols = idims[2];
            byte[] px = new byte[Math.multiplyExact(n, rows * cols)];
            readFully(im, px, images, n + " images of " + rows + "x" + cols);
            byte[] raw = new byte[n];
            readFully(lb, raw, labels, n + " labels");
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

    private static DataInputStream open(Path file) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new UserException(file + ": does not exist");
        }
        InputStream raw = new BufferedInputStream(Files.newInputStream(file), 1 << 16);
        raw.mark(2);
        int b0 = raw.read();
        int b1 = raw.read();
        raw.reset();
        if (b0 == 0x1f && b1 == 0x8b) {
            try {
                raw = new BufferedInputStream(new GZIPInputStream(raw, 1 << 16), 1 << 16);
            } catch (IOException e) {
                throw new UserException(file + ": corrupt gzip data (" + e.getMessage() + ")");
            }
        }
        return new DataInputStream(raw);
    }

    private static int[] header(DataInputStream in, Path file, int dims, String what) {
        int magic;
        try {
            magic = in.readInt();
        } catch (IOException e) {
            throw new UserException(file + ": too short for an IDX header");
        }
        int expected = (UBYTE << 8) | dims;
        if (magic != expected) {
            throw new UserException(String.format(
                    "%s: not an IDX %s file (magic number 0x%08X, expected 0x%08X)", file, what, magic, expected));
        }
        int[] d = new int[dims];
        try {
            for (int i = 0; i < dims; i++) {
                d[i] = in.readInt();
                if (d[i] <= 0) {
                    throw new UserException(file + ": dimension " + i + " is " + d[i]);
                }
            }
        } catch (IOException e) {
            throw new UserException(file + ": truncated IDX header");
        }
        return d;
    }

    private static void readFully(DataInputStream in, byte[] buf, Path file, String what) {
        try {
            in.readFully(buf);
        } catch (EOFException e) {
            throw new UserException(file + ": truncated; expected " + what + " (" + buf.length + " bytes)");
        } catch (IOException e) {
            throw new UserException(file + ": corrupt (" + e.getMessage() + ")");
        }
    }

    private static byte[] intBytes(int v) {
        return new byte[] {(byte) (v >>> 24), (byte) (v >>> 16), (byte) (v >>> 8), (byte) v};
    }
}
