package org.camloss.datasets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.camloss.api.UserException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every PNG and JPEG colour type decodes to the values Pillow's {@code convert("RGB")} and {@code convert("L")} give,
 * read from the fixtures in {@code resources/org/camloss/datasets/decoding/} and the values {@code make_fixtures.py}
 * recorded from Pillow 9.4 (libjpeg-turbo) when it wrote them.
 */
class ImageDecoderTest {
    private static final Path DIR;
    private static final JsonNode EXPECTED;

    static {
        try {
            DIR = Path.of(ImageDecoderTest.class
                            .getResource("decoding/expected.json")
                            .toURI())
                    .getParent();
            EXPECTED = new ObjectMapper().readTree(DIR.resolve("expected.json").toFile());
        } catch (IOException | URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    @TempDir
    Path tmp;

    static Stream<String> fixtures() {
        List<String> names = new ArrayList<>();
        EXPECTED.fieldNames().forEachRemaining(names::add);
        return names.stream();
    }

    private static int[] values(JsonNode array) {
        int[] out = new int[array.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = array.get(i).asInt();
        }
        return out;
    }

    private static int[] unsigned(byte[] b) {
        int[] out = new int[b.length];
        for (int i = 0; i < b.length; i++) {
            out[i] = b[i] & 0xFF;
        }
        return out;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("fixtures")
    void decodesAsPillowConverts(String name) {
        JsonNode e = EXPECTED.get(name);
        for (int channels : new int[] {3, 1}) {
            ImageDecoder.Decoded d = ImageDecoder.decode(DIR.resolve(name), channels);
            assertEquals(e.get("width").asInt(), d.width(), name + " width");
            assertEquals(e.get("height").asInt(), d.height(), name + " height");
            assertEquals(channels, d.channels());
            int[] expected = values(e.get(channels == 3 ? "rgb" : "l"));
            int[] actual = unsigned(d.samples());
            assertEquals(expected.length, actual.length, name + " sample count");
            for (int i = 0; i < expected.length; i++) {
                if (expected[i] != actual[i]) {
                    assertEquals(
                            Arrays.toString(expected),
                            Arrays.toString(actual),
                            name + " (" + (channels == 3 ? "RGB" : "L") + "): first difference at sample " + i);
                }
            }
        }
    }

    @Test
    void everyColourTypeHasAFixture() {
        List<String> modes = new ArrayList<>();
        EXPECTED.forEach(e -> modes.add(e.get("mode").asText()));
        for (String mode : List.of("1", "L", "LA", "P", "I", "RGB", "RGBA", "CMYK")) {
            assertTrue(modes.contains(mode), "no fixture Pillow opens as " + mode);
        }
    }

    @Test
    void alphaIsDroppedNotBlended() {
        // rgba8.png's first pixel is (5, 100, 158) at alpha 17: blended over black it would be nearly black
        ImageDecoder.Decoded d = ImageDecoder.decode(DIR.resolve("rgba8.png"), 3);
        assertEquals(
                List.of(5, 100, 158), List.of(d.samples()[0] & 0xFF, d.samples()[1] & 0xFF, d.samples()[2] & 0xFF));
    }

    @Test
    void sixteenBitGreyKeepsTheHighByteWherePillowClips() {
        JsonNode e = EXPECTED.get("grey16.png");
        ImageDecoder.Decoded d = ImageDecoder.decode(DIR.resolve("grey16.png"), 1);
        assertEquals(53174 >> 8, d.samples()[0] & 0xFF);
        assertEquals(255, e.get("pillow_l").get(0).asInt(), "Pillow clips 53174 to 255");
    }

    @Test
    void exifOrientationIsNotApplied() {
        ImageDecoder.Decoded rotated = ImageDecoder.decode(DIR.resolve("rgb-exif-orientation6.JPEG"), 3);
        ImageDecoder.Decoded plain = ImageDecoder.decode(DIR.resolve("rgb444.jpg"), 3);
        assertEquals(Arrays.toString(plain.samples()), Arrays.toString(rotated.samples()));
    }

    @Test
    void pillowsFormulas() {
        assertEquals(208, ImageDecoder.cmykToRgb(20, 29)); // 226 - round(20 * 226 / 255)
        assertEquals(255, ImageDecoder.cmykToRgb(0, 0));
        assertEquals(0, ImageDecoder.cmykToRgb(255, 0));
        assertEquals(0, ImageDecoder.cmykToRgb(0, 255));
        assertEquals(255, ImageDecoder.luma(255, 255, 255));
        assertEquals(76, ImageDecoder.luma(255, 0, 0));
        assertEquals(150, ImageDecoder.luma(0, 255, 0));
        assertEquals(29, ImageDecoder.luma(0, 0, 255));
    }

    @Test
    void aTruncatedJpegIsRefusedNotFilledWithGrey() throws IOException {
        byte[] whole = Files.readAllBytes(DIR.resolve("rgb444.jpg"));
        Path cut = tmp.resolve("cut.jpg");
        Files.write(cut, Arrays.copyOf(whole, whole.length - 80)); // inside the scan data
        UserException e = assertThrows(UserException.class, () -> ImageDecoder.decode(cut, 3));
        assertTrue(e.getMessage().startsWith(cut + ": truncated JPEG image ("), e.getMessage());
    }

    @Test
    void aCorruptPngNamesTheFile() throws IOException {
        byte[] whole = Files.readAllBytes(DIR.resolve("rgb8.png"));
        byte[] broken = whole.clone();
        for (int i = 60; i < broken.length - 12; i++) {
            broken[i] = (byte) 0x5A; // inside IDAT: the deflate stream is garbage
        }
        Path bad = tmp.resolve("bad.png");
        Files.write(bad, broken);
        UserException e = assertThrows(UserException.class, () -> ImageDecoder.decode(bad, 3));
        assertTrue(e.getMessage().startsWith(bad + ": unreadable PNG image ("), e.getMessage());
    }

    @Test
    void theFormatIsToldByContentNotName() throws IOException {
        Path jpegNamedPng = tmp.resolve("photo.png");
        Files.copy(DIR.resolve("grey.jpg"), jpegNamedPng);
        assertEquals(
                Arrays.toString(ImageDecoder.decode(DIR.resolve("grey.jpg"), 1).samples()),
                Arrays.toString(ImageDecoder.decode(jpegNamedPng, 1).samples()));
        Path gif = tmp.resolve("anim.png");
        Files.write(gif, "GIF89a....".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        UserException e = assertThrows(UserException.class, () -> ImageDecoder.decode(gif, 3));
        assertEquals(
                gif + ": not a PNG or JPEG file (it starts with bytes 47 49 46 38); camloss reads PNG and JPEG "
                        + "images only",
                e.getMessage());
        Path empty = tmp.resolve("empty.jpg");
        Files.write(empty, new byte[0]);
        assertEquals(
                empty + ": not a PNG or JPEG file (it starts with nothing: the file is empty); camloss reads "
                        + "PNG and JPEG images only",
                assertThrows(UserException.class, () -> ImageDecoder.decode(empty, 3))
                        .getMessage());
    }
}
