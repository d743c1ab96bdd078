import java.awt.color.ColorSpace;
import java.awt.image.DataBuffer;
import java.awt.image.Raster;
import java.awt.image.WritableRaster;
import java.io.File;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageTypeSpecifier;
import javax.imageio.ImageWriter;
import javax.imageio.stream.ImageOutputStream;

/**
 * Writes ycck.jpg, a 16x16 JPEG in Adobe's YCCK colour transform (what Photoshop writes for CMYK), which Pillow
 * cannot write: the JDK's JPEG writer does, given a 4-channel raster and a CMYK image type.
 * Run from this folder: java MakeYcck.java (make_fixtures.py does).
 */
public class MakeYcck {
    /** A stand-in CMYK colour space: the writer only reads its type. */
    static final class Cmyk extends ColorSpace {
        Cmyk() {
            super(ColorSpace.TYPE_CMYK, 4);
        }

        public float[] toRGB(float[] v) {
            return new float[] {(1 - v[0]) * (1 - v[3]), (1 - v[1]) * (1 - v[3]), (1 - v[2]) * (1 - v[3])};
        }

        public float[] fromRGB(float[] rgb) {
            throw new UnsupportedOperationException();
        }

        public float[] toCIEXYZ(float[] v) {
            throw new UnsupportedOperationException();
        }

        public float[] fromCIEXYZ(float[] v) {
            throw new UnsupportedOperationException();
        }
    }

    public static void main(String[] args) throws Exception {
        int w = 16;
        int h = 16;
        WritableRaster r = Raster.createInterleavedRaster(DataBuffer.TYPE_BYTE, w, h, 4, null);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                r.setPixel(x, y, new int[] {x * 12 + 20, y * 10 + 40, 200 - (x + y) * 5, (x * y) % 120 + 30});
            }
        }
        ImageTypeSpecifier type =
                ImageTypeSpecifier.createInterleaved(new Cmyk(), new int[] {0, 1, 2, 3}, DataBuffer.TYPE_BYTE, false, false);
        ImageWriter writer = ImageIO.getImageWritersByFormatName("jpeg").next();
        try (ImageOutputStream out = ImageIO.createImageOutputStream(new File("ycck.jpg"))) {
            writer.setOutput(out);
            writer.write(null, new IIOImage(r, null, writer.getDefaultImageMetadata(type, writer.getDefaultWriteParam())), null);
        }
    }
}
