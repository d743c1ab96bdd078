package org.camloss.datasets;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.camloss.api.UserException;

/**
 * Reads the binary versions of CIFAR-10 and CIFAR-100: records of label byte(s) then 3072 pixel bytes
 * (1024 red, 1024 green, 1024 blue, each 32 rows of 32), converted to height × width × channel order. Every defect
 * is a {@link UserException} naming the file: missing, gzip-compressed (the downloaded archive, not extracted), not a
 * whole number of records, more records than one array holds, a label out of range.
 */
public final class CifarReader {
    /** Pixels per record. */
    public static final int PIXELS = 32 * 32 * 3;

    private CifarReader() {}

    /**
     * Reads records from {@code files} in order.
     *
     * @param labelBytes  1 (CIFAR-10) or 2 (CIFAR-100: coarse, fine)
     * @param labelIndex  which label byte to use
     * @param classes     labels must be below this
     * @param limit       at most this many records (0: all)
     */
    public static ImageArrays read(
            List<Path> files, int labelBytes, int labelIndex, int classes, int limit, MessageDigest digest) {
        int record = labelBytes + PIXELS;
        List<byte[]> chunks = new ArrayList<>();
        List<int[]> labelChunks = new ArrayList<>();
        int total = 0;
        for (Path f : files) {
            if (limit > 0 && total >= limit) {
                break;
            }
            if (!Files.isRegularFile(f)) {
                throw new UserException(f + ": does not exist");
            }
            long size;
            byte[] start = new byte[2];
            try (InputStream in = Files.newInputStream(f)) {
                size = Files.size(f);
                in.readNBytes(start, 0, 2);
            } catch (IOException e) {
                throw new UserException(f + ": cannot be read (" + e.getMessage() + ")");
            }
            if ((start[0] & 0xFF) == 0x1f && (start[1] & 0xFF) == 0x8b) {
                throw new UserException(f + ": gzip-compressed, not a CIFAR binary file; extract the archive "
                        + "(tar xzf cifar-" + (labelBytes == 1 ? "10" : "100") + "-binary.tar.gz) and point dir at "
                        + "the folder of .bin files");
            }
            if (size == 0 || size % record != 0) {
                throw new UserException(f + ": " + size + " bytes is not a whole number of " + record
                        + "-byte CIFAR records (truncated, or not a CIFAR" + (labelBytes == 1 ? "-10" : "-100")
                        + " binary file)");
            }
            long records = size / record;
            if (limit > 0) {
                records = Math.min(records, limit - total);
            }
            if ((total + records) * PIXELS > IdxReader.MAX_ARRAY) {
                throw new UserException(String.format(
                        Locale.ROOT,
                        "%s: %d records of %d pixel bytes (with %d before it) are more than one array holds (%d); read "
                                + "fewer with train_limit/test_limit",
                        f,
                        records,
                        PIXELS,
                        total,
                        IdxReader.MAX_ARRAY));
            }
            int n = (int) records;
            byte[] px = new byte[n * PIXELS];
            int[] y = new int[n];
            byte[] rec = new byte[record];
            try (InputStream in = new BufferedInputStream(Files.newInputStream(f), 1 << 16)) {
                for (int i = 0; i < n; i++) {
                    if (in.readNBytes(rec, 0, record) != record) {
                        throw new UserException(f + ": truncated at record " + i);
                    }
                    digest.update(rec);
                    y[i] = rec[labelIndex] & 0xFF;
                    if (y[i] >= classes) {
                        throw new UserException(f + ": label " + y[i] + " of record " + i + " is out of range [0, "
                                + (classes - 1) + "]");
                    }
                    int base = i * PIXELS;
                    for (int p = 0; p < 1024; p++) {
                        px[base + 3 * p] = rec[labelBytes + p];
                        px[base + 3 * p + 1] = rec[labelBytes + 1024 + p];
                        px[base + 3 * p + 2] = rec[labelBytes + 2048 + p];
                    }
                }
            } catch (IOException e) {
                throw new UserException(f + ": cannot be read (" + e.getMessage() + ")");
            }
            chunks.add(px);
            labelChunks.add(y);
            total += n;
        }
        byte[] all = new byte[total * PIXELS];
        int[] labels = new int[total];
        int at = 0;
        for (int c = 0; c < chunks.size(); c++) {
            System.arraycopy(chunks.get(c), 0, all, at * PIXELS, chunks.get(c).length);
            System.arraycopy(labelChunks.get(c), 0, labels, at, labelChunks.get(c).length);
            at += labelChunks.get(c).length;
        }
        return new ImageArrays(all, labels, 32, 32, 3);
    }

    /** Class names from a text file of one name a line, or numbers when the file is absent. */
    static List<String> names(Path file, int classes) {
        List<String> out = new ArrayList<>();
        if (Files.isRegularFile(file)) {
            try {
                for (String line : Files.readAllLines(file)) {
                    if (!line.isBlank()) {
                        out.add(line.trim());
                    }
                }
            } catch (IOException e) {
                throw new UserException(file + ": cannot be read (" + e.getMessage() + ")");
            }
            if (out.size() != classes) {
                throw new UserException(file + ": lists " + out.size() + " class names, expected " + classes);
            }
            return out;
        }
        for (int i = 0; i < classes; i++) {
            out.add(Integer.toString(i));
        }
        return out;
    }
}
