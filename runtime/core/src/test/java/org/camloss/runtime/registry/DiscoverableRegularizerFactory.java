package org.camloss.runtime.registry;

import java.util.List;
import org.camloss.api.ParamSpec;
import org.camloss.api.Params;
import org.camloss.api.Regularizer;
import org.camloss.api.RegularizerFactory;

/**
 * A fake regularizer factory listed only in {@code registry-discovery/META-INF/services}, which is not on the
 * test classpath root, so other tests' discovery never sees it.
 */
public final class DiscoverableRegularizerFactory implements RegularizerFactory {
    /** The id this fake claims. */
    public static final String ID = "test-discovered-regularizer";

    @Override
    public String id() {
        return ID;
    }

    @Override
    public String description() {
        return "Fake regularizer for the discovery test.";
    }

    @Override
    public List<ParamSpec> params() {
        return List.of(ParamSpec.ofDouble("weight", 0.5, 0, 1, "weight"));
    }

    @Override
    public Regularizer create(Params params) {
        throw new UnsupportedOperationException("test fake: never created");
    }
}
