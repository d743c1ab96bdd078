package org.camloss.runtime.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.never;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.when;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.camloss.api.BackboneFactory;
import org.camloss.api.Loss;
import org.camloss.api.LossFactory;
import org.camloss.api.ParamSpec;
import org.camloss.api.Params;
import org.camloss.api.PluginFactory;
import org.junit.jupiter.api.Test;

class PluginRegistryTest {
    private static final String P = PluginRegistryTest.class.getName() + "$";
    /** Where the test classes live, as the registry's messages name a plugin's jar or directory. */
    private static final String IN =
            " in " + PluginOrigin.of(PluginRegistryTest.class).location();

    /** A fake loss factory; subclasses only fix the id, aliases and params. */
    abstract static class FakeLoss implements LossFactory {
        private final String id;
        private final List<String> aliases;
        private final List<ParamSpec> params;

        FakeLoss(String id, List<String> aliases, List<ParamSpec> params) {
            this.id = id;
            this.aliases = aliases;
            this.params = params;
        }

        @Override
        public String id() {
            return id;
        }

        @Override
        public String description() {
            return "Fake loss " + id + ".";
        }

        @Override
        public List<String> aliases() {
            return aliases;
        }

        @Override
        public List<ParamSpec> params() {
            return params;
        }

        @Override
        public Loss create(Params params) {
            throw new UnsupportedOperationException("test fake: never created");
        }
    }

    static final class CamLossA extends FakeLoss {
        CamLossA() {
            super("cam-loss", List.of("camloss"), List.of(ParamSpec.ofDouble("alpha", 1, 0, 10, "weight")));
        }
    }

    static final class CamLossB extends FakeLoss {
        CamLossB() {
            super("cam-loss", List.of(), List.of());
        }
    }

    static final class CrossEntropy extends FakeLoss {
        CrossEntropy() {
            super("cross-entropy", List.of("ce", "softmax-ce"), List.of());
        }
    }

    static final class CeThief extends FakeLoss {
        CeThief() {
            super("ce-thief", List.of("ce"), List.of());
        }
    }

    static final class BadId extends FakeLoss {
        BadId() {
            super("Cam_Loss", List.of(), List.of());
        }
    }

    static final class BadAlias extends FakeLoss {
        BadAlias() {
            super("focal", List.of("Focal Loss"), List.of());
        }
    }

    static final class TwiceAlpha extends FakeLoss {
        TwiceAlpha() {
            super(
                    "twice",
                    List.of(),
                    List.of(ParamSpec.ofDouble("alpha", 1, 0, 10, "a"), ParamSpec.ofDouble("alpha", 2, 0, 10, "b")));
        }
    }

    private static PluginRegistry losses() {
        return PluginRegistry.builder()
                .register(PluginKind.LOSS, new CrossEntropy())
                .register(PluginKind.LOSS, new CamLossA())
                .build();
    }

    @Test
    void findsByIdAndAlias() {
        PluginRegistry r = losses();
        assertEquals(
                "cam-loss", r.find(PluginKind.LOSS, "cam-loss").orElseThrow().id());
        assertEquals(
                "cam-loss", r.find(PluginKind.LOSS, "camloss").orElseThrow().id());
        assertEquals(
                "cross-entropy",
                r.find(PluginKind.LOSS, "softmax-ce").orElseThrow().id());
        assertEquals(Optional.empty(), r.find(PluginKind.LOSS, "focal"));
        assertEquals(Optional.empty(), r.find(PluginKind.BACKBONE, "cam-loss"), "kinds are separate");
    }

    @Test
    void listsSortedById() {
        PluginRegistry r = losses();
        assertEquals(List.of("cam-loss", "cross-entropy"), r.ids(PluginKind.LOSS));
        assertEquals(
                List.of("cam-loss", "cross-entropy"),
                r.all(PluginKind.LOSS).stream().map(PluginFactory::id).toList());
        assertEquals(
                Map.of("camloss", "cam-loss", "ce", "cross-entropy", "softmax-ce", "cross-entropy"),
                r.aliases(PluginKind.LOSS));
        assertEquals(List.of(), r.ids(PluginKind.DISTILLER));
        assertEquals(
                "PluginRegistry{loss=[cam-loss, cross-entropy], backbone=[], regularizer=[], distiller=[], "
                        + "dataset=[], cam-method=[], optimizer=[adam, sgd], schedule=[constant, cosine, step]}",
                r.toString());
    }

    @Test
    void twoFactoriesClaimingOneIdIsAnErrorNamingBoth() {
        PluginRegistry.Builder b = PluginRegistry.builder()
                .register(PluginKind.LOSS, new CamLossA())
                .register(PluginKind.LOSS, new CamLossB());
        PluginLoadException e =
                assertThrows(PluginLoadException.class, () -> b.build().requireNoProblems());
        assertEquals(
                List.of("two loss plugins claim id 'cam-loss': " + P + "CamLossA" + IN + " and " + P + "CamLossB" + IN),
                e.problems());
        assertEquals(List.of("cam-loss"), b.build().ids(PluginKind.LOSS), "the first is kept, the second reported");
    }

    @Test
    void anAliasClashingWithAnotherFactoryIsAnError() {
        PluginRegistry.Builder b = PluginRegistry.builder()
                .register(PluginKind.LOSS, new CrossEntropy())
                .register(PluginKind.LOSS, new CeThief());
        assertEquals(
                List.of("two loss plugins claim id 'ce': " + P + "CrossEntropy" + IN + " (alias) and " + P + "CeThief"
                        + IN + " (alias)"),
                b.build().problems());
    }

    @Test
    void everyProblemIsReportedAtOnce() {
        PluginRegistry.Builder b = PluginRegistry.builder()
                .register(PluginKind.LOSS, new CamLossA())
                .register(PluginKind.LOSS, new BadId())
                .register(PluginKind.LOSS, new CamLossB())
                .register(PluginKind.LOSS, new BadAlias())
                .register(PluginKind.LOSS, new TwiceAlpha());
        assertEquals(
                List.of(
                        "loss plugin " + P + "BadId" + IN
                                + " has id 'Cam_Loss'; ids must be kebab-case ([a-z0-9]+(-[a-z0-9]+)*)",
                        "two loss plugins claim id 'cam-loss': " + P + "CamLossA" + IN + " and " + P + "CamLossB" + IN,
                        "loss plugin " + P + "BadAlias" + IN + " has alias 'Focal Loss'; aliases must be kebab-case "
                                + "([a-z0-9]+(-[a-z0-9]+)*)",
                        "loss plugin 'twice' (" + P + "TwiceAlpha" + IN + ") declares parameter 'alpha' twice"),
                b.build().problems());
    }

    @Test
    void theSameFactoryClassTwiceIsKeptOnce() {
        PluginRegistry r = PluginRegistry.builder()
                .register(PluginKind.LOSS, new CamLossA())
                .register(PluginKind.LOSS, new CamLossA())
                .build();
        assertEquals(List.of("cam-loss"), r.ids(PluginKind.LOSS));
    }

    @Test
    void theSameIdInDifferentKindsIsFine() {
        BackboneFactory backbone = mock(BackboneFactory.class);
        when(backbone.id()).thenReturn("cam-loss");
        PluginRegistry r = PluginRegistry.builder()
                .register(PluginKind.LOSS, new CamLossA())
                .register(PluginKind.BACKBONE, backbone)
                .build();
        assertSame(backbone, r.find(PluginKind.BACKBONE, "cam-loss").orElseThrow());
        assertEquals(
                "cam-loss", r.find(PluginKind.LOSS, "cam-loss").orElseThrow().id());
    }

    @Test
    void buildingAndLookingUpNeverCreatesAPlugin() {
        LossFactory f = mock(LossFactory.class);
        when(f.id()).thenReturn("mocked");
        PluginRegistry r = PluginRegistry.builder().register(PluginKind.LOSS, f).build();
        assertSame(f, r.find(PluginKind.LOSS, "mocked").orElseThrow());
        assertEquals(List.of(f), r.all(PluginKind.LOSS));
        verify(f, never()).create(any());
    }

    @Test
    void registriesAreIndependentOfLaterRegistrations() {
        PluginRegistry.Builder b = PluginRegistry.builder().register(PluginKind.LOSS, new CamLossA());
        PluginRegistry first = b.build();
        PluginRegistry second = b.register(PluginKind.LOSS, new CrossEntropy()).build();
        assertEquals(List.of("cam-loss"), first.ids(PluginKind.LOSS));
        assertEquals(List.of("cam-loss", "cross-entropy"), second.ids(PluginKind.LOSS));
    }

    @Test
    @SuppressWarnings({"unchecked", "rawtypes"})
    void aFactoryOfTheWrongKindIsRejected() {
        PluginKind raw = PluginKind.BACKBONE;
        IllegalArgumentException e = assertThrows(
                IllegalArgumentException.class, () -> PluginRegistry.builder().register(raw, new CamLossA()));
        assertEquals(
                P + "CamLossA is not a org.camloss.api.BackboneFactory, so it cannot be a backbone plugin",
                e.getMessage());
    }

    @Test
    void unknownIdMessages() {
        PluginRegistry r = losses();
        assertEquals(
                "no loss plugin 'cam-los'; did you mean 'cam-loss'? available: [cam-loss, cross-entropy]",
                r.unknownIdMessage(PluginKind.LOSS, "cam-los"));
        assertEquals(
                "no loss plugin 'focal'; available: [cam-loss, cross-entropy]",
                r.unknownIdMessage(PluginKind.LOSS, "focal"));
        assertEquals(
                "no loss plugin 'softmax-c'; did you mean 'cross-entropy'? available: [cam-loss, cross-entropy]",
                r.unknownIdMessage(PluginKind.LOSS, "softmax-c"),
                "a near miss of an alias suggests its id");
        assertEquals(
                "no distiller plugin 'caam-cam'; no distiller plugins are installed",
                r.unknownIdMessage(PluginKind.DISTILLER, "caam-cam"));
    }

    @Test
    void idPattern() {
        for (String ok : List.of("a", "cam-loss", "resnet-18", "x1-y2-z3")) {
            assertTrue(PluginRegistry.ID_PATTERN.matcher(ok).matches(), ok);
        }
        for (String bad : List.of("", "-a", "a-", "a--b", "A", "a_b", "a b")) {
            assertFalse(PluginRegistry.ID_PATTERN.matcher(bad).matches(), bad);
        }
    }
}
