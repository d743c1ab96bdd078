package org.camloss.datasets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.camloss.api.Params;
import org.camloss.api.UserException;
import org.camloss.api.data.DataSplit;
import org.camloss.api.data.Dataset;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Which entries of an image folder are classes and which files are images: hidden entries, nested folders, empty
 * class folders, other files, classes missing from one split; each refusal names the folder or file.
 */
class ImageFolderTest {
    @TempDir
    Path tmp;

    /** A solid 8x8 PNG whose red value is {@code id}, so each image can be told apart after reading. */
    private void image(String relative, int id) throws IOException {
        DataFiles.png(tmp.resolve(relative), 8, id << 16);
    }

    private Dataset make(Object... kv) {
        Map<String, Object> m = new HashMap<>(Map.of("dir", tmp.toString(), "size", 8, "mean", "0", "std", "1"));
        for (int i = 0; i < kv.length; i += 2) {
            m.put((String) kv[i], kv[i + 1]);
        }
        ImageFolderDatasetFactory f = new ImageFolderDatasetFactory();
        return f.create(Params.resolve(f.params(), m));
    }

    private String refusal(Object... kv) {
        return assertThrows(UserException.class, () -> make(kv)).getMessage();
    }

    /** (label, red value) of every image, in reading order. */
    private static List<List<Integer>> contents(DataSplit split) {
        List<List<Integer>> out = new ArrayList<>();
        float[] px = new float[8 * 8 * 3];
        for (int i = 0; i < split.size(); i++) {
            split.image(i, px, 0);
            out.add(List.of(split.label(i), Math.round(px[0] * 255)));
        }
        return out;
    }

    /** train/{cat,dog} and test/{cat,dog}, one image each (red 1, 2 / 11, 12). */
    private void twoClasses() throws IOException {
        image("train/cat/a.png", 1);
        image("train/dog/a.png", 2);
        image("test/cat/a.png", 11);
        image("test/dog/a.png", 12);
    }

    @Test
    void hiddenEntriesAreIgnoredAtEveryDepth() throws IOException {
        twoClasses();
        image("train/.ipynb_checkpoints/a-checkpoint.png", 99); // the case: it became class 0
        Files.writeString(tmp.resolve("train/.DS_Store"), "x");
        Files.writeString(tmp.resolve("train/cat/._a.png"), "AppleDouble, not a PNG");
        image("train/cat/.ipynb_checkpoints/b-checkpoint.png", 98);
        image("test/.hidden/a.png", 97);
        Dataset d = make();
        assertEquals(List.of("cat", "dog"), d.info().classes());
        assertEquals(List.of(List.of(0, 1), List.of(1, 2)), contents(d.train()));
        assertEquals(List.of(List.of(0, 11), List.of(1, 12)), contents(d.test()));
    }

    @Test
    void nestedFoldersAreReadInImageFolderOrder() throws IOException {
        twoClasses();
        image("train/cat/batch1/z.png", 3); // the case: dropped, so cat had no training image
        image("train/cat/batch1/deeper/c.png", 4);
        image("train/cat/b.png", 5);
        image("train/cat/batch0/y.png", 6);
        Dataset d = make();
        // torchvision: sorted(os.walk(cat)) visits cat, cat/batch0, cat/batch1, cat/batch1/deeper; files sorted
        assertEquals(
                List.of(List.of(0, 1), List.of(0, 5), List.of(0, 6), List.of(0, 3), List.of(0, 4), List.of(1, 2)),
                contents(d.train()));
        assertEquals(3, make("train_limit", 3).train().size());
        assertEquals(
                List.of(List.of(0, 1), List.of(0, 5), List.of(0, 6)),
                contents(make("train_limit", 3).train()));
    }

    @Test
    void classesAreInCodePointOrder() throws IOException {
        for (String c : List.of("b", "B", "a", "\u00e9", "\ud83d\udc31", "\uff21")) {
            image("train/" + c + "/x.png", 1);
            image("test/" + c + "/x.png", 2);
        }
        // Python's sorted: by code point; U+1F431 sorts after U+FF21 (String.compareTo would put it before)
        assertEquals(
                List.of("B", "a", "b", "\u00e9", "\uff21", "\ud83d\udc31"),
                make().info().classes());
    }

    @Test
    void imageExtensionsInAnyCaseAreImages() throws IOException {
        twoClasses();
        Files.copy(tmp.resolve("train/cat/a.png"), tmp.resolve("train/cat/B.PNG"));
        Files.copy(tmp.resolve("train/cat/a.png"), tmp.resolve("train/cat/c.Jpeg"));
        assertEquals(4, make().train().size());
    }

    @Test
    void anEmptyClassFolderIsRefused() throws IOException {
        twoClasses();
        Files.createDirectories(tmp.resolve("train/bird/empty-subfolder"));
        Files.createDirectories(tmp.resolve("test/bird"));
        image("test/bird/a.png", 3);
        image("train/bird/.ipynb_checkpoints/a.png", 3); // hidden: does not count
        assertEquals(
                tmp.resolve("train/bird") + ": class folder has no images (.png, .jpg, .jpeg, at any depth)",
                refusal());
    }

    @Test
    void anEmptyTestClassFolderIsRefused() throws IOException {
        twoClasses();
        Files.delete(tmp.resolve("test/dog/a.png"));
        assertEquals(
                tmp.resolve("test/dog") + ": class folder has no images (.png, .jpg, .jpeg, at any depth)", refusal());
    }

    @Test
    void otherFilesUnderAClassAreRefusedNotSkipped() throws IOException {
        twoClasses();
        Files.writeString(tmp.resolve("train/cat/labels.txt"), "x");
        Files.createDirectories(tmp.resolve("train/dog/more"));
        Files.writeString(tmp.resolve("train/dog/more/c.gif"), "GIF89a");
        assertEquals(
                tmp.resolve("train/cat/labels.txt") + ": not an image; every file under a class folder must end in "
                        + ".png, .jpg, .jpeg (names starting with '.' are ignored)\n"
                        + tmp.resolve("train/dog/more/c.gif") + ": not an image; every file under a class folder must "
                        + "end in .png, .jpg, .jpeg (names starting with '.' are ignored)",
                refusal());
    }

    @Test
    void aFileAmongTheClassFoldersIsRefused() throws IOException {
        twoClasses();
        image("train/stray.png", 5);
        assertEquals(
                tmp.resolve("train/stray.png") + ": a file among the class folders; " + tmp.resolve("train")
                        + " must hold only one folder per class (names starting with '.' are ignored)",
                refusal());
    }

    @Test
    void aClassMissingFromTestIsRefused() throws IOException {
        twoClasses();
        image("train/bird/a.png", 3);
        assertEquals(
                tmp.resolve("test") + ": no folder for classes [bird]; every class of " + tmp.resolve("train")
                        + " needs test images, in a folder of the same name",
                refusal());
    }

    @Test
    void aTestClassWithoutTrainingFolderIsRefused() throws IOException {
        twoClasses();
        image("test/dgo/a.png", 3);
        assertEquals(
                tmp.resolve("test") + ": class folders [dgo] have no training folder; classes are [cat, dog]",
                refusal());
    }

    @Test
    void fewerThanTwoClassesAreRefused() throws IOException {
        image("train/cat/a.png", 1);
        image("test/cat/a.png", 2);
        assertEquals(tmp.resolve("train") + ": needs at least 2 class folders, found [cat]", refusal());
    }

    @Test
    void everyProblemIsReportedAtOnce() throws IOException {
        twoClasses();
        Files.createDirectories(tmp.resolve("train/bird"));
        Files.writeString(tmp.resolve("train/notes.md"), "x");
        Files.writeString(tmp.resolve("test/cat/x.bmp"), "BM");
        List<String> lines = refusal().lines().toList();
        assertEquals(
                List.of(
                        tmp.resolve("train/bird") + ": class folder has no images (.png, .jpg, .jpeg, at any depth)",
                        tmp.resolve("train/notes.md") + ": a file among the class folders; " + tmp.resolve("train")
                                + " must hold only one folder per class (names starting with '.' are ignored)",
                        tmp.resolve("test/cat/x.bmp") + ": not an image; every file under a class folder must end in "
                                + ".png, .jpg, .jpeg (names starting with '.' are ignored)",
                        tmp.resolve("test") + ": no folder for classes [bird]; every class of " + tmp.resolve("train")
                                + " needs test images, in a folder of the same name"),
                lines);
    }

    @Test
    void aSymbolicLinkLoopIsRefused() throws IOException {
        twoClasses();
        Files.createSymbolicLink(tmp.resolve("train/cat/again"), tmp.resolve("train/cat"));
        assertEquals(
                tmp.resolve("train/cat/again") + ": a symbolic link that loops back to "
                        + tmp.resolve("train/cat").toRealPath(),
                refusal());
    }

    @Test
    void aSymbolicLinkToAnotherFolderIsFollowed() throws IOException {
        twoClasses();
        image("elsewhere/x.png", 7);
        Files.createSymbolicLink(tmp.resolve("train/cat/linked"), tmp.resolve("elsewhere"));
        assertEquals(List.of(List.of(0, 1), List.of(0, 7), List.of(1, 2)), contents(make().train()));
    }

    @Test
    void greyIsPillowsLumaAndImagesOfTheTargetSizeAreUsedAsIs() throws IOException {
        DataFiles.png(tmp.resolve("train/a/x.png"), 8, 0x336699);
        DataFiles.png(tmp.resolve("train/b/x.png"), 8, 0xFF0000);
        DataFiles.png(tmp.resolve("test/a/x.png"), 8, 0);
        DataFiles.png(tmp.resolve("test/b/x.png"), 8, 0);
        Dataset d = make("color", "grey");
        float[] px = new float[64];
        d.train().image(0, px, 0);
        assertEquals(ImageDecoder.luma(0x33, 0x66, 0x99), Math.round(px[5] * 255));
        d.train().image(1, px, 0);
        assertEquals(76, Math.round(px[0] * 255));
    }
}
