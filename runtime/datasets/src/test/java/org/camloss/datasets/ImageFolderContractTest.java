package org.camloss.datasets;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.camloss.api.DatasetFactory;
import org.camloss.testkit.DatasetContract;

/** {@code image-folder} passes the dataset contract on a small folder of PNGs (one nested, one hidden entry). */
class ImageFolderContractTest extends DatasetContract {
    private static final Path DIR;

    static {
        try {
            DIR = Files.createTempDirectory("camloss-image-folder");
            String[] classes = {"circle", "square", "triangle"};
            for (int k = 0; k < classes.length; k++) {
                for (int i = 0; i < 3; i++) {
                    DataFiles.png(DIR.resolve("train/" + classes[k] + "/" + i + ".png"), 12, (k * 80) << 8 | i * 40);
                }
                DataFiles.png(DIR.resolve("train/" + classes[k] + "/more/x.png"), 10, 0x404040);
                DataFiles.png(DIR.resolve("test/" + classes[k] + "/t.png"), 9, k * 90);
            }
            Files.createDirectories(DIR.resolve("train/.ipynb_checkpoints"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    protected DatasetFactory factory() {
        return new ImageFolderDatasetFactory();
    }

    @Override
    protected boolean createsWithDefaults() {
        return false;
    }

    @Override
    protected Map<String, Object> testParams() {
        return Map.of("dir", DIR.toString(), "size", 8);
    }
}
