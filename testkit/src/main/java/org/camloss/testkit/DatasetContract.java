package org.camloss.testkit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import org.camloss.api.DatasetFactory;
import org.camloss.api.InputShape;
import org.camloss.api.data.DataSplit;
import org.camloss.api.data.Dataset;
import org.junit.jupiter.api.Test;

/**
 * The contract of a {@link DatasetFactory}: every check of {@link PluginContract}, plus: both splits are
 * non-empty, labels are in range, images are finite and fill exactly H·W·C floats, masks (when present)
 * are non-empty, the info is consistent, and creating the dataset twice gives the same data and
 * fingerprint. Subclasses usually pass small sizes through {@link #testParams()}.
 */
public abstract class DatasetContract extends PluginContract<DatasetFactory> {
    @Override
    protected final Class<DatasetFactory> kind() {
        return DatasetFactory.class;
    }

    /** The dataset built from {@link #testParams()}. */
    protected final Dataset dataset() {
        return factory().create(resolvedTestParams());
    }

    @Test
    void infoIsConsistent() {
        Dataset d = dataset();
        assertTrue(d.info().numClasses() >= 2, "fewer than 2 classes");
        assertEquals(d.info().numClasses(), new HashSet<>(d.info().classes()).size(), "duplicate class names");
        assertTrue(d.info().fingerprint().matches("[0-9a-f]{64}"), "fingerprint is not a SHA-256 hex string");
        assertFalse(d.info().name().isBlank());
    }

    @Test
    void splitsHoldValidExamples() {
        Dataset d = dataset();
        for (DataSplit split : new DataSplit[] {d.train(), d.test()}) {
            assertTrue(split.size() > 0, "empty split");
            InputShape s = d.info().shape();
            int per = s.height() * s.width() * s.channels();
            int n = Math.min(split.size(), 16);
            for (int i = 0; i < n; i++) {
                int label = split.label(i);
                assertTrue(label >= 0 && label < d.info().numClasses(), "label " + label + " out of range");
                float[] buf = new float[per + 2];
                buf[per] = 12345f;
                buf[per + 1] = 12345f;
                split.image(i, buf, 1);
                assertEquals(12345f, buf[per + 1], "image wrote past H*W*C floats");
                for (int j = 1; j <= per; j++) {
                    assertTrue(Float.isFinite(buf[j]), "non-finite pixel in example " + i);
                }
                if (split.hasMasks()) {
                    boolean[] m = new boolean[s.height() * s.width()];
                    split.mask(i, m, 0);
                    boolean any = false;
                    for (boolean b : m) {
                        any |= b;
                    }
                    assertTrue(any, "empty mask for example " + i);
                }
            }
        }
    }

    @Test
    void sameParamsSameData() {
        Dataset a = dataset();
        Dataset b = dataset();
        assertEquals(a.info().fingerprint(), b.info().fingerprint());
        InputShape s = a.info().shape();
        int per = s.height() * s.width() * s.channels();
        for (int i = 0; i < Math.min(4, a.train().size()); i++) {
            float[] x = new float[per];
            float[] y = new float[per];
            a.train().image(i, x, 0);
            b.train().image(i, y, 0);
            assertArrayEquals(x, y, "example " + i + " differs between two creations");
            assertEquals(a.train().label(i), b.train().label(i));
        }
    }
}
