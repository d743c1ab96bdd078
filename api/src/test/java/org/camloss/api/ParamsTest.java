package org.camloss.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.camloss.api.cam.Routing;
import org.junit.jupiter.api.Test;

/** The one parameter-validation path: declarations, ranges with open or closed ends, choices, problems. */
class ParamsTest {
    static final List<ParamSpec> SPECS = List.of(
            ParamSpec.ofDouble("lr", 0.1, Range.openClosed(0, 10), "learning rate"),
            ParamSpec.ofDouble("momentum", 0.9, Range.closedOpen(0, 1), "momentum"),
            ParamSpec.ofInt("depth", 20, 8, 200, "depth"),
            ParamSpec.ofChoice("routing", Routing.WEIGHT_DETACHED, "routing"),
            ParamSpec.ofBoolean("nesterov", false, "nesterov"));

    @Test
    void rangesSayWhichEndsAreOpen() {
        assertEquals("(0, 10]", Range.openClosed(0, 10).toString());
        assertEquals("[0, 1)", Range.closedOpen(0, 1).toString());
        assertEquals("(0.5, 2.5)", Range.open(0.5, 2.5).toString());
        assertEquals("[8, 200]", Range.closed(8, 200).toString());
        assertFalse(Range.openClosed(0, 10).contains(0));
        assertTrue(Range.openClosed(0, 10).contains(10));
        assertFalse(Range.closedOpen(0, 1).contains(1));
        assertFalse(Range.closed(0, 1).contains(Double.NaN));
        assertThrows(IllegalArgumentException.class, () -> Range.closed(2, 1));
    }

    @Test
    void everyProblemIsReportedUnknownKeysFirstThenValuesInDeclarationOrder() {
        Map<String, Object> raw = new LinkedHashMap<>();
        raw.put("depth", 10.5);
        raw.put("lr", 0);
        raw.put("momentun", 0.5);
        raw.put("momentum", 1.0);
        raw.put("routing", "weight-detach");
        Params.Resolution r = Params.check(SPECS, raw);
        assertEquals(
                List.of(
                        new ParamProblem(
                                "momentun",
                                "unknown parameter; did you mean 'momentum'? valid: [lr, momentum, depth, "
                                        + "routing, nesterov]"),
                        new ParamProblem("lr", "must be in (0, 10], found 0"),
                        new ParamProblem("momentum", "must be in [0, 1), found 1.0"),
                        new ParamProblem("depth", "must be an integer, found 10.5"),
                        new ParamProblem(
                                "routing",
                                "must be one of [weight-detached, full, detached-cam], found "
                                        + "'weight-detach'; did you mean 'weight-detached'?")),
                r.problems());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Params.resolve(SPECS, raw));
        assertTrue(e.getMessage().startsWith("momentun: unknown parameter; did you mean 'momentum'?"), e.getMessage());
    }

    @Test
    void defaultsFillTheGapsAndAKeyWithoutAValueCountsAsAbsent() {
        Map<String, Object> raw = new LinkedHashMap<>();
        raw.put("lr", "0.5");
        raw.put("depth", null);
        Params p = Params.resolve(SPECS, raw);
        assertEquals(0.5, p.getDouble("lr"));
        assertEquals(20, p.getInt("depth"));
        assertEquals(Routing.WEIGHT_DETACHED, p.getChoice("routing", Routing.class));
        assertEquals(
                List.of("lr", "momentum", "depth", "routing", "nesterov"),
                List.copyOf(p.asMap().keySet()));
    }

    @Test
    void aDefaultThatBreaksItsOwnRuleIsRefusedWhenDeclared() {
        IllegalArgumentException e =
                assertThrows(IllegalArgumentException.class, () -> ParamSpec.ofInt("size", 0, 1, 1024, "patch side"));
        assertEquals(
                "parameter 'size': the default 0 breaks its own rule (must be in [1, 1024], found 0)", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> ParamSpec.ofDouble("lr", 0, Range.openClosed(0, 1), "lr"));
        assertThrows(IllegalArgumentException.class, () -> ParamSpec.ofChoice("c", "x", List.of("a", "b"), "c"));
    }

    @Test
    void aPluginWithoutParametersSaysSo() {
        assertEquals(
                List.of(new ParamProblem("alpha", "unknown parameter; this plugin takes no parameters")),
                Params.check(List.of(), Map.of("alpha", 1)).problems());
    }

    @Test
    void choicesByIdWithAHint() {
        assertEquals(List.of("weight-detached", "full", "detached-cam"), Choice.ids(Routing.class));
        assertEquals(Routing.FULL, Choice.of(Routing.class, "full"));
        IllegalArgumentException e =
                assertThrows(IllegalArgumentException.class, () -> Choice.of(Routing.class, "ful"));
        assertEquals(
                "unknown Routing 'ful'; did you mean 'full'? valid: [weight-detached, full, detached-cam]",
                e.getMessage());
    }

    @Test
    void rulesBetweenParametersAreTheFactorysValidate() {
        PluginFactory<String> f = new PluginFactory<>() {
            @Override
            public String id() {
                return "pair";
            }

            @Override
            public String description() {
                return "A pair.";
            }

            @Override
            public String create(Params params) {
                if (params.getInt("depth") % 2 == 1) {
                    throw new IllegalArgumentException("depth must be even, found " + params.getInt("depth"));
                }
                return "ok";
            }
        };
        assertEquals(List.of(), f.validate(Params.defaults(SPECS)));
        assertEquals(
                List.of(new ParamProblem("", "depth must be even, found 21")),
                PluginFactory.creationProblems(f, Params.resolve(SPECS, Map.of("depth", 21))));
        assertEquals("depth must be even, found 21", new ParamProblem("", "depth must be even, found 21").render());
        assertEquals("lr: must be positive", new ParamProblem("lr", "must be positive").render());
    }
}
