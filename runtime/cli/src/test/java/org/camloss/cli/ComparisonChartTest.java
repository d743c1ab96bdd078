package org.camloss.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;
import org.camloss.runtime.Comparison;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ComparisonChartTest {
    @Test
    void drawsOneLinePerVariantIntoAPng(@TempDir Path tmp) throws Exception {
        Comparison c = new Comparison(
                List.of("none", "kd"),
                List.of(
                        Map.of("variant", "none", "seed", 1L, Comparison.CURVE, List.of(0.3, 0.5, 0.7)),
                        Map.of("variant", "kd", "seed", 1L, Comparison.CURVE, List.of(0.2, 0.6, 0.9))));
        Path png = tmp.resolve("accuracy.png");
        ComparisonChart.write(c, png, "test accuracy per epoch");
        BufferedImage image = ImageIO.read(png.toFile());
        assertEquals(800, image.getWidth());
        assertEquals(500, image.getHeight());
        try (var files = Files.list(tmp)) {
            assertTrue(files.allMatch(p -> p.equals(png)), "a temporary file was left behind");
        }
    }
}
