package org.camloss.spark;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import org.junit.jupiter.api.Test;

/** The application jar's arguments: those of {@code camloss train}, on the spark engine unless another is chosen. */
class SparkTrainTest {
    @Test
    void addsTheSparkEngineUnlessTheArgumentsChooseOne() {
        assertArrayEquals(
                new String[] {"train", "--engine", "spark", "c.yaml", "--out", "r", "--set", "train.epochs=2"},
                SparkTrain.arguments("c.yaml", "--out", "r", "--set", "train.epochs=2"));
        assertArrayEquals(
                new String[] {"train", "c.yaml", "--engine", "other"},
                SparkTrain.arguments("c.yaml", "--engine", "other"));
        assertArrayEquals(
                new String[] {"train", "c.yaml", "--set", "engine.id=other"},
                SparkTrain.arguments("c.yaml", "--set", "engine.id=other"));
        assertArrayEquals(new String[] {"train", "--help"}, SparkTrain.arguments("--help"));
    }
}
