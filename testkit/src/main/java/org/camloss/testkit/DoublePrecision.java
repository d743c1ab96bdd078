package org.camloss.testkit;

import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.factory.Nd4j;

/**
 * A JUnit 5 extension that runs each test with ND4J's default data types set to DOUBLE and restores the
 * previous ones afterwards: {@code @ExtendWith(DoublePrecision.class)}. For reference-value and gradient checks.
 */
public final class DoublePrecision implements BeforeEachCallback, AfterEachCallback {
    private static final ExtensionContext.Namespace NS = ExtensionContext.Namespace.create(DoublePrecision.class);

    @Override
    public void beforeEach(ExtensionContext context) {
        context.getStore(NS).put("saved", new DataType[] {Nd4j.dataType(), Nd4j.defaultFloatingPointType()});
        Nd4j.setDefaultDataTypes(DataType.DOUBLE, DataType.DOUBLE);
    }

    @Override
    public void afterEach(ExtensionContext context) {
        DataType[] saved = context.getStore(NS).remove("saved", DataType[].class);
        if (saved != null) {
            Nd4j.setDefaultDataTypes(saved[0], saved[1]);
        }
    }
}
