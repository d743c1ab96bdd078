package org.camloss.api.data;

import java.util.List;
import org.camloss.api.InputShape;

/**
 * What a dataset is: its classes, image shape and identity.
 *
 * @param name        human-readable name, e.g. {@code shapes(seed=7, size=32)}
 * @param classes     class names, index = label
 * @param shape       image shape
 * @param fingerprint SHA-256 (hex) identifying the exact data: of the files read, or of the generator settings
 */
public record DatasetInfo(String name, List<String> classes, InputShape shape, String fingerprint) {
    public DatasetInfo {
        classes = List.copyOf(classes);
    }

    /** K. */
    public int numClasses() {
        return classes.size();
    }
}
