package org.camloss.runtime.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;

import org.camloss.api.ParamSpec;
import org.junit.jupiter.api.Test;

class BuiltinComponentsTest {
    @Test
    void idsAndParameters() {
        assertEquals(List.of("sgd", "adam"), List.copyOf(BuiltinComponents.optimizers().keySet()));
        assertEquals(List.of("constant", "cosine", "step"), List.copyOf(BuiltinComponents.schedules().keySet()));
        assertEquals(List.of("lr", "momentum", "nesterov", "weight_decay"), names(BuiltinComponents.optimizers().get("sgd")));
        assertEquals(List.of("lr", "beta1", "beta2", "eps", "weight_decay"), names(BuiltinComponents.optimizers().get("adam")));
        assertEquals(List.of(), names(BuiltinComponents.schedules().get("constant")));
        assertEquals(List.of("final_lr", "warmup_epochs"), names(BuiltinComponents.schedules().get("cosine")));
        assertEquals(List.of("step_epochs", "gamma"), names(BuiltinComponents.schedules().get("step")));
        assertEquals("coupled L2 on every parameter",
                BuiltinComponents.optimizers().get("sgd").get(3).description());
    }

    @Test
    void everyComponentHasAOneSentenceDescription() {
        assertEquals(BuiltinComponents.optimizers().keySet(), BuiltinComponents.optimizerDescriptions().keySet());
        assertEquals(BuiltinComponents.schedules().keySet(), BuiltinComponents.scheduleDescriptions().keySet());
        for (Map<String, String> d : List.of(BuiltinComponents.optimizerDescriptions(),
                BuiltinComponents.scheduleDescriptions())) {
            d.values().forEach(s -> assertTrue(s.endsWith(".") && s.indexOf(". ") < 0, s));
        }
    }

    @Test
    void everyDefaultPassesItsOwnCheck() {
        for (Map<String, List<ParamSpec>> components : List.of(BuiltinComponents.optimizers(),
                BuiltinComponents.schedules())) {
            components.forEach((id, specs) -> specs.forEach(spec ->
                    assertNull(spec.check(spec.defaultValue()).problem(), id + "." + spec.name())));
        }
    }

    @Test
    void rangesWithOpenEnds() {
        List<ParamSpec> sgd = BuiltinComponents.optimizers().get("sgd");
        assertEquals("(0, 10]", BuiltinComponents.range("sgd", sgd.get(0)));
        assertEquals("[0, 1)", BuiltinComponents.range("sgd", sgd.get(1)));
        assertEquals("true|false", BuiltinComponents.range("sgd", sgd.get(2)));
        assertEquals("[0, 1]", BuiltinComponents.range("sgd", sgd.get(3)));
        assertEquals("(0, 1]", BuiltinComponents.range("step", BuiltinComponents.schedules().get("step").get(1)));
        assertEquals("[0, 1]", BuiltinComponents.range("no-such-component", sgd.get(3)));
    }

    private static List<String> names(List<ParamSpec> specs) {
        return specs.stream().map(ParamSpec::name).toList();
    }
}
