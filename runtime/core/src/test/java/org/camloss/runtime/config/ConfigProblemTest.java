package org.camloss.runtime.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import org.junit.jupiter.api.Test;

class ConfigProblemTest {
    @Test
    void rendering() {
        assertEquals(
                "x.yaml: train.epochs: must be in [1, 100000], found 0",
                new ConfigProblem("train.epochs", "must be in [1, 100000], found 0", "x.yaml").render());
        assertEquals("x.yaml: file is empty", new ConfigProblem("", "file is empty", "x.yaml").render());
        assertEquals(
                "seed: must be an integer, found 'x'",
                new ConfigProblem("seed", "must be an integer, found 'x'").toString());
        assertEquals(new ConfigProblem("a", "b", "--set"), new ConfigProblem("a", "b").withSource("--set"));
    }

    @Test
    void anExceptionRendersOneProblemPerLine() {
        ConfigException e = new ConfigException(
                List.of(new ConfigProblem("a", "one", "f.yaml"), new ConfigProblem("b", "two", "--set")));
        assertEquals("f.yaml: a: one\n--set: b: two", e.getMessage());
        assertEquals(2, e.problems().size());
        assertThrows(IllegalArgumentException.class, () -> new ConfigException(List.of()));
    }
}
