package org.camloss.datasets;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.camloss.api.DatasetFactory;
import org.camloss.api.Params;
import org.camloss.api.UserException;
import org.camloss.api.data.Dataset;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** IDX, CIFAR-10/100 and image-folder datasets read back from files the tests write; bad files give clear errors. */
class FileDatasetsTest {
    @TempDir
    Path tmp;

    private static Dataset make(DatasetFactory f, Map<String, Object> params) {
        return f.create(Params.resolve(f.params(), params));
    }

    private static Map<String, Object> idxParams(Path dir, Object... kv) {
        Map<String, Object> m = new HashMap<>(Map.of("dir", dir.toString(), "classes", 3));
        for (int i = 0; i < kv.length; i += 2) {
            m.put((String) kv[i], kv[i + 1]);
        }
        return m;
    }

    @Test
    void idxReadsGzipAndRawWithLimitsAndStatistics() throws IOException {
        Path dir = DataFiles.idxDataset(tmp.resolve("idx"), 20, 10);
        // raw (not gzip) test files under other names
        DataFiles.idxImages(dir.resolve("raw-images"), 10, 8, 8, false);
        DataFiles.idxLabels(dir.resolve("raw-labels"), 10, 3, false);
        Dataset d = make(
                new IdxDatasetFactory(),
                idxParams(
                        dir,
                        "train_limit",
                        12,
                        "test_images",
                        "raw-images",
                        "test_labels",
                        "raw-labels",
                        "mean",
                        "0.5",
                        "std",
                        "0.25"));
        assertEquals(12, d.train().size());
        assertEquals(10, d.test().size());
        assertEquals("1x8x8".replace("1x8x8", "8x8x1"), d.info().shape().toString());
        assertEquals(List.of("0", "1", "2"), d.info().classes());
        float[] img = new float[64];
        d.test().image(4, img, 0);
        assertEquals((DataFiles.pixel(4, 9) / 255.0 - 0.5) / 0.25, img[9], 1e-6);
        assertEquals(4 % 3, d.test().label(4));
        // computed statistics normalise the training images to mean 0, std 1
        ArrayDataset computed = (ArrayDataset) make(new IdxDatasetFactory(), idxParams(dir));
        double sum = 0;
        double sq = 0;
        for (int i = 0; i < computed.train().size(); i++) {
            computed.train().image(i, img, 0);
            for (float v : img) {
                sum += v;
                sq += v * v;
            }
        }
        double n = computed.train().size() * 64.0;
        assertEquals(0.0, sum / n, 1e-5);
        assertEquals(1.0, sq / n, 1e-4);
    }

    @Test
    void validationIsHeldOutFromTheEndOfTraining() throws IOException {
        Path dir = DataFiles.idxDataset(tmp.resolve("v"), 20, 10);
        Dataset d = make(new IdxDatasetFactory(), idxParams(dir, "train_limit", 15, "validation", 5));
        assertEquals(10, d.train().size());
        assertEquals(5, d.validation().orElseThrow().size());
        assertEquals(10 % 3, d.validation().orElseThrow().label(0));
    }

    @Test
    void idxDefectsNameTheFile() throws IOException {
        Path dir = DataFiles.idxDataset(tmp.resolve("bad"), 20, 10);
        Path labels = dir.resolve("train-labels-idx1-ubyte.gz");
        // wrong magic: labels file given as images
        UserException magic = assertThrows(
                UserException.class,
                () -> make(new IdxDatasetFactory(), idxParams(dir, "train_images", "train-labels-idx1-ubyte.gz")));
        assertEquals(
                labels + ": not an IDX images file (magic number 0x00000801, expected 0x00000803)", magic.getMessage());
        // count mismatch
        DataFiles.idxLabels(dir.resolve("short-labels"), 19, 3, false);
        UserException count = assertThrows(
                UserException.class,
                () -> make(new IdxDatasetFactory(), idxParams(dir, "train_labels", "short-labels")));
        assertEquals(
                dir.resolve("train-images-idx3-ubyte.gz") + " has 20 images but " + dir.resolve("short-labels")
                        + " has 19 labels; the two files do not belong together",
                count.getMessage());
        // label out of range
        UserException range =
                assertThrows(UserException.class, () -> make(new IdxDatasetFactory(), idxParams(dir, "classes", 2)));
        assertEquals(labels + ": label 2 of example 2 is out of range [0, 1]", range.getMessage());
        // truncated
        byte[] whole = Files.readAllBytes(dir.resolve("t10k-images-idx3-ubyte.gz"));
        byte[] raw = new java.util.zip.GZIPInputStream(new java.io.ByteArrayInputStream(whole)).readAllBytes();
        Files.write(dir.resolve("cut-images"), java.util.Arrays.copyOf(raw, raw.length - 10));
        UserException cut = assertThrows(
                UserException.class, () -> make(new IdxDatasetFactory(), idxParams(dir, "test_images", "cut-images")));
        assertEquals(
                dir.resolve("cut-images") + ": truncated; expected 10 images of 8x8 (640 bytes)", cut.getMessage());
        // test images of another size
        DataFiles.idxImages(dir.resolve("big-images"), 10, 9, 8, false);
        DataFiles.idxLabels(dir.resolve("big-labels"), 10, 3, false);
        UserException size = assertThrows(
                UserException.class,
                () -> make(
                        new IdxDatasetFactory(),
                        idxParams(dir, "test_images", "big-images", "test_labels", "big-labels")));
        assertEquals(dir.resolve("big-images") + ": images are 9x8 but the training images are 8x8", size.getMessage());
        // missing
        UserException missing = assertThrows(
                UserException.class, () -> make(new IdxDatasetFactory(), idxParams(tmp.resolve("nowhere"))));
        assertEquals(
                tmp.resolve("nowhere").resolve("train-images-idx3-ubyte.gz") + ": does not exist",
                missing.getMessage());
    }

    /** A raw IDX image file holding only its header: magic 0x803 and the three dimensions (unsigned). */
    private static void idxHeaderOnly(Path file, long n, long rows, long cols) throws IOException {
        java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(16);
        b.putInt(0x803).putInt((int) n).putInt((int) rows).putInt((int) cols);
        Files.write(file, b.array());
    }

    @Test
    void idxDimensionsThatOverflowAreRefusedByName() throws IOException {
        Path dir = DataFiles.idxDataset(tmp.resolve("huge"), 6, 3);
        DataFiles.idxLabels(dir.resolve("labels-100000"), 100_000, 3, false);
        idxHeaderOnly(dir.resolve("images-100000"), 100_000, 1000, 1000);
        UserException big = assertThrows(
                UserException.class,
                () -> make(
                        new IdxDatasetFactory(),
                        idxParams(dir, "train_images", "images-100000", "train_labels", "labels-100000")));
        assertEquals(
                dir.resolve("images-100000") + ": 100000 images of 1000x1000 are 100000000000 bytes, more than one "
                        + "array holds (2147483639); the header is corrupt, or read fewer with train_limit/test_limit",
                big.getMessage());
        // rows x cols alone overflows int (it used to wrap to 0)
        DataFiles.idxLabels(dir.resolve("labels-1"), 1, 3, false);
        idxHeaderOnly(dir.resolve("images-wide"), 1, 65536, 65536);
        UserException wide = assertThrows(
                UserException.class,
                () -> make(
                        new IdxDatasetFactory(),
                        idxParams(dir, "train_images", "images-wide", "train_labels", "labels-1")));
        assertTrue(
                wide.getMessage().startsWith(dir.resolve("images-wide") + ": 1 images of 65536x65536 are 4294967296 "),
                wide.getMessage());
        // a dimension of 2^32 - 1 (read as -1 before)
        idxHeaderOnly(dir.resolve("images-neg"), 0xFFFFFFFFL, 8, 8);
        UserException neg = assertThrows(
                UserException.class, () -> make(new IdxDatasetFactory(), idxParams(dir, "train_images", "images-neg")));
        assertEquals(
                dir.resolve("images-neg") + ": dimension 0 of the IDX header is 4294967295; it must be in [1, "
                        + "2147483647] (a corrupt header?)",
                neg.getMessage());
        // a header that claims much more than the file holds is reported without allocating for it
        idxHeaderOnly(dir.resolve("images-claims"), 1, 40_000, 40_000);
        UserException claims = assertThrows(
                UserException.class,
                () -> make(
                        new IdxDatasetFactory(),
                        idxParams(dir, "train_images", "images-claims", "train_labels", "labels-1")));
        assertEquals(
                dir.resolve("images-claims") + ": truncated; expected 1 images of 40000x40000 (1600000000 bytes)",
                claims.getMessage());
    }

    @Test
    void corruptGzipIsNotCalledTooShort() throws IOException {
        Path dir = DataFiles.idxDataset(tmp.resolve("gz"), 20, 10);
        byte[] gz = Files.readAllBytes(dir.resolve("train-images-idx3-ubyte.gz"));
        // the deflate data garbled right after the 10-byte gzip header
        byte[] garbled = gz.clone();
        for (int i = 10; i < 40; i++) {
            garbled[i] = (byte) 0xFF;
        }
        Files.write(dir.resolve("garbled.gz"), garbled);
        UserException g = assertThrows(
                UserException.class, () -> make(new IdxDatasetFactory(), idxParams(dir, "train_images", "garbled.gz")));
        assertTrue(g.getMessage().startsWith(dir.resolve("garbled.gz") + ": not valid gzip data ("), g.getMessage());
        // gzip magic, then nothing a gzip header holds
        Files.write(dir.resolve("magic-only.gz"), new byte[] {0x1f, (byte) 0x8b, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10});
        UserException m = assertThrows(
                UserException.class,
                () -> make(new IdxDatasetFactory(), idxParams(dir, "train_images", "magic-only.gz")));
        assertEquals(
                dir.resolve("magic-only.gz") + ": not valid gzip data (Unsupported compression method)",
                m.getMessage());
        // gzip cut in the middle: truncated, and it says the gzip data is cut short
        Files.write(dir.resolve("cut.gz"), java.util.Arrays.copyOf(gz, gz.length / 2));
        UserException cut = assertThrows(
                UserException.class, () -> make(new IdxDatasetFactory(), idxParams(dir, "train_images", "cut.gz")));
        assertTrue(
                cut.getMessage()
                        .startsWith(dir.resolve("cut.gz") + ": truncated; expected 20 images of 8x8 (1280 bytes) (the "
                                + "gzip data is cut short: "),
                cut.getMessage());
        // a gzip file that holds fewer bytes than an IDX header
        DataFiles.write(dir.resolve("tiny.gz"), new byte[] {0, 0}, true);
        UserException tiny = assertThrows(
                UserException.class, () -> make(new IdxDatasetFactory(), idxParams(dir, "train_images", "tiny.gz")));
        assertEquals(dir.resolve("tiny.gz") + ": too short for an IDX header", tiny.getMessage());
    }

    @Test
    void cifarDefectsNameTheFile() throws IOException {
        Path dir = tmp.resolve("cbad");
        Files.createDirectories(dir);
        Files.write(dir.resolve("train.bin"), DataFiles.cifarRecords(5, new int[] {3, 7}, 0));
        // the downloaded archive, not extracted
        DataFiles.write(dir.resolve("test.bin"), DataFiles.cifarRecords(2, new int[] {1, 2}, 0), true);
        UserException gz = assertThrows(
                UserException.class, () -> make(new Cifar100DatasetFactory(), Map.of("dir", dir.toString())));
        assertEquals(
                dir.resolve("test.bin") + ": gzip-compressed, not a CIFAR binary file; extract the archive (tar xzf "
                        + "cifar-100-binary.tar.gz) and point dir at the folder of .bin files",
                gz.getMessage());
        // more records than one array holds (a sparse file: no disk space used)
        try (java.io.RandomAccessFile f =
                new java.io.RandomAccessFile(dir.resolve("test.bin").toFile(), "rw")) {
            f.setLength(0);
            f.setLength(3074L * 700_000);
        }
        UserException big = assertThrows(
                UserException.class, () -> make(new Cifar100DatasetFactory(), Map.of("dir", dir.toString())));
        assertEquals(
                dir.resolve("test.bin") + ": 700000 records of 3072 pixel bytes (with 0 before it) are more than one "
                        + "array holds (2147483639); read fewer with train_limit/test_limit",
                big.getMessage());
        assertEquals(
                3,
                make(new Cifar100DatasetFactory(), Map.of("dir", dir.toString(), "test_limit", 3))
                        .test()
                        .size());
    }

    @Test
    void cifar10ConvertsPlanesToChannelsLastAcrossBatchFiles() throws IOException {
        Path dir = tmp.resolve("c10");
        Files.createDirectories(dir);
        for (int b = 1; b <= 5; b++) {
            Files.write(dir.resolve("data_batch_" + b + ".bin"), DataFiles.cifarRecords(3, new int[] {b}, (b - 1) * 3));
        }
        Files.write(dir.resolve("test_batch.bin"), DataFiles.cifarRecords(4, new int[] {0}, 100));
        Dataset d = make(
                new Cifar10DatasetFactory(), Map.of("dir", dir.toString(), "train_limit", 7, "mean", "0", "std", "1"));
        assertEquals(7, d.train().size());
        assertEquals(4, d.test().size());
        assertEquals("32x32x3", d.info().shape().toString());
        float[] img = new float[3072];
        d.train().image(6, img, 0); // record 0 of data_batch_3
        int p = 5 * 32 + 7;
        for (int ch = 0; ch < 3; ch++) {
            assertEquals(DataFiles.cifarPixel(6, ch, p) / 255.0, img[p * 3 + ch], 1e-6, "channel " + ch);
        }
        assertEquals(3, d.train().label(6));
        Files.write(
                dir.resolve("test_batch.bin"),
                java.util.Arrays.copyOf(DataFiles.cifarRecords(2, new int[] {0}, 0), 3073 * 2 - 5));
        UserException e = assertThrows(
                UserException.class, () -> make(new Cifar10DatasetFactory(), Map.of("dir", dir.toString())));
        assertEquals(
                dir.resolve("test_batch.bin") + ": 6141 bytes is not a whole number of 3073-byte CIFAR records "
                        + "(truncated, or not a CIFAR-10 binary file)",
                e.getMessage());
    }

    @Test
    void cifar100ReadsFineOrCoarseLabels() throws IOException {
        Path dir = tmp.resolve("c100");
        Files.createDirectories(dir);
        Files.write(dir.resolve("train.bin"), DataFiles.cifarRecords(5, new int[] {3, 7}, 0));
        Files.write(dir.resolve("test.bin"), DataFiles.cifarRecords(2, new int[] {1, 2}, 0));
        Dataset fine = make(new Cifar100DatasetFactory(), Map.of("dir", dir.toString()));
        Dataset coarse = make(new Cifar100DatasetFactory(), Map.of("dir", dir.toString(), "labels", "coarse"));
        assertEquals(100, fine.info().numClasses());
        assertEquals(20, coarse.info().numClasses());
        assertEquals((7 + 2) % 10, fine.train().label(2));
        assertEquals((3 + 2) % 20, coarse.train().label(2));
    }

    @Test
    void imageFolderResizesInSortedClassOrder() throws IOException {
        Path dir = tmp.resolve("imgs");
        DataFiles.png(dir.resolve("train/zebra/a.png"), 20, 0xFF0000);
        DataFiles.png(dir.resolve("train/apple/b.png"), 12, 0x00FF00);
        DataFiles.png(dir.resolve("train/apple/c.png"), 12, 0x0000FF);
        DataFiles.png(dir.resolve("test/zebra/d.png"), 9, 0xFFFFFF);
        DataFiles.png(dir.resolve("test/apple/e.png"), 9, 0xFFFFFF);
        Dataset d = make(
                new ImageFolderDatasetFactory(), Map.of("dir", dir.toString(), "size", 8, "mean", "0", "std", "1"));
        assertEquals(List.of("apple", "zebra"), d.info().classes());
        assertEquals(3, d.train().size());
        assertEquals(0, d.train().label(0));
        assertEquals(1, d.train().label(2));
        float[] img = new float[8 * 8 * 3];
        d.train().image(2, img, 0);
        assertArrayEquals(new float[] {1f, 0f, 0f}, java.util.Arrays.copyOfRange(img, 30, 33), 1e-6f);
        Dataset grey = make(
                new ImageFolderDatasetFactory(),
                Map.of("dir", dir.toString(), "size", 8, "color", "grey", "mean", "0", "std", "1"));
        assertEquals("8x8x1", grey.info().shape().toString());
        Files.writeString(dir.resolve("train/apple/broken.png"), "not an image");
        UserException e = assertThrows(
                UserException.class, () -> make(new ImageFolderDatasetFactory(), Map.of("dir", dir.toString())));
        assertTrue(
                e.getMessage().startsWith(dir.resolve("train/apple/broken.png") + ": not a PNG or JPEG file"),
                e.getMessage());
        DataFiles.png(dir.resolve("test/mango/x.png"), 8, 0);
        Files.delete(dir.resolve("train/apple/broken.png"));
        UserException extra = assertThrows(
                UserException.class, () -> make(new ImageFolderDatasetFactory(), Map.of("dir", dir.toString())));
        assertEquals(
                dir.resolve("test") + ": class folders [mango] have no training folder; classes are [apple, zebra]",
                extra.getMessage());
    }

    @Test
    void badMeanIsRejectedByName() throws IOException {
        Path dir = DataFiles.idxDataset(tmp.resolve("m"), 6, 3);
        IllegalArgumentException e = assertThrows(
                IllegalArgumentException.class, () -> make(new IdxDatasetFactory(), idxParams(dir, "std", "0.3,x")));
        assertEquals("std: 'x' is not a number", e.getMessage());
        IllegalArgumentException count = assertThrows(
                IllegalArgumentException.class, () -> make(new IdxDatasetFactory(), idxParams(dir, "std", "0.3,0.2")));
        assertEquals("std: must give 1 or 1 comma-separated numbers, found '0.3,0.2'", count.getMessage());
    }
}
