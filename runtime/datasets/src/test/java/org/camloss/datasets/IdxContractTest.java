package org.camloss.datasets;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.camloss.api.DatasetFactory;
import org.camloss.testkit.DatasetContract;

class IdxContractTest extends DatasetContract {
    private static final Path DIR;

    static {
        try {
            DIR = DataFiles.idxDataset(Files.createTempDirectory("camloss-idx"), 12, 6);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    protected DatasetFactory factory() {
        return new IdxDatasetFactory();
    }

    @Override
    protected boolean createsWithDefaults() {
        return false;
    }

    @Override
    protected Map<String, Object> testParams() {
        return Map.of("dir", DIR.toString(), "classes", 3);
    }
}
