package org.camloss.datasets;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPOutputStream;
import javax.imageio.ImageIO;

/** Writes small dataset files in each supported format, for tests. */
final class DataFiles {
    private DataFiles() {}

    /** Pixel value of image i at flat position p (deterministic). */
    static int pixel(int i, int p) {
        return (i * 37 + p * 11) % 256;
    }

    /** An IDX image file of n images of rows×cols. */
    static void idxImages(Path file, int n, int rows, int cols, boolean gzip) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        DataOutputStream out = new DataOutputStream(bytes);
        out.writeInt(0x00000803);
        out.writeInt(n);
        out.writeInt(rows);
        out.writeInt(cols);
        for (int i = 0; i < n; i++) {
            for (int p = 0; p < rows * cols; p++) {
                out.writeByte(pixel(i, p));
            }
        }
        write(file, bytes.toByteArray(), gzip);
    }

    /** An IDX label file of n labels i % classes. */
    static void idxLabels(Path file, int n, int classes, boolean gzip) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        DataOutputStream out = new DataOutputStream(bytes);
        out.writeInt(0x00000801);
        out.writeInt(n);
        for (int i = 0; i < n; i++) {
            out.writeByte(i % classes);
        }
        write(file, bytes.toByteArray(), gzip);
    }

    /** The four files of an IDX dataset (gzip), train n, test m, 8×8, 3 classes. */
    static Path idxDataset(Path dir, int n, int m) throws IOException {
        Files.createDirectories(dir);
        idxImages(dir.resolve("train-images-idx3-ubyte.gz"), n, 8, 8, true);
        idxLabels(dir.resolve("train-labels-idx1-ubyte.gz"), n, 3, true);
        idxImages(dir.resolve("t10k-images-idx3-ubyte.gz"), m, 8, 8, true);
        idxLabels(dir.resolve("t10k-labels-idx1-ubyte.gz"), m, 3, true);
        return dir;
    }

    static void write(Path file, byte[] data, boolean gzip) throws IOException {
        try (OutputStream out =
                gzip ? new GZIPOutputStream(Files.newOutputStream(file)) : Files.newOutputStream(file)) {
            out.write(data);
        }
    }

    /** CIFAR records: label bytes then 1024 R, 1024 G, 1024 B; pixel value depends on (record, channel, position). */
    static byte[] cifarRecords(int n, int[] labelBytes, int first) {
        int record = labelBytes.length + 3072;
        byte[] out = new byte[n * record];
        for (int i = 0; i < n; i++) {
            int base = i * record;
            for (int l = 0; l < labelBytes.length; l++) {
                out[base + l] = (byte) ((labelBytes[l] + i) % (l == labelBytes.length - 1 ? 10 : 20));
            }
            for (int ch = 0; ch < 3; ch++) {
                for (int p = 0; p < 1024; p++) {
                    out[base + labelBytes.length + ch * 1024 + p] = (byte) cifarPixel(first + i, ch, p);
                }
            }
        }
        return out;
    }

    static int cifarPixel(int i, int channel, int p) {
        return (i * 7 + channel * 50 + p) % 256;
    }

    /** A PNG of a solid colour. */
    static void png(Path file, int size, int rgb) throws IOException {
        Files.createDirectories(file.getParent());
        BufferedImage img = new BufferedImage(size, size, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < size; y++) {
            for (int x = 0; x < size; x++) {
                img.setRGB(x, y, rgb);
            }
        }
        ImageIO.write(img, "png", file.toFile());
    }
}
