package org.camloss.runtime.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Path;
import java.util.List;
import org.camloss.api.Params;
import org.camloss.api.Regularizer;
import org.camloss.api.RegularizerFactory;
import org.junit.jupiter.api.Test;

/**
 * Discovery through {@link java.util.ServiceLoader}. The services files live in sub-folders of the test
 * resources, reachable only through the class loaders made here, so the real plugins (runtime dependencies)
 * may be found as well without breaking these tests, and other tests never see the fakes.
 */
class PluginRegistryDiscoveryTest {

    private static URLClassLoader loaderFor(String folder) {
        URL url = PluginRegistryDiscoveryTest.class.getClassLoader().getResource(folder + "/");
        return new URLClassLoader(new URL[] {url}, PluginRegistryDiscoveryTest.class.getClassLoader());
    }

    @Test
    void discoversTheFakeRegularizer() throws Exception {
        try (URLClassLoader loader = loaderFor("registry-discovery")) {
            PluginRegistry r = PluginRegistry.discover(loader);
            assertInstanceOf(
                    DiscoverableRegularizerFactory.class,
                    r.find(PluginKind.REGULARIZER, DiscoverableRegularizerFactory.ID)
                            .orElseThrow());
            assertTrue(r.ids(PluginKind.REGULARIZER).contains(DiscoverableRegularizerFactory.ID));
        }
    }

    /** A loss with an id no real plugin will take. */
    static final class HandRegisteredLoss extends PluginRegistryTest.FakeLoss {
        HandRegisteredLoss() {
            super("test-hand-registered-loss", List.of(), List.of());
        }
    }

    @Test
    void discoveryAddsToHandRegistrations() throws Exception {
        try (URLClassLoader loader = loaderFor("registry-discovery")) {
            PluginRegistry r = PluginRegistry.builder()
                    .register(PluginKind.REGULARIZER, new DiscoverableRegularizerFactory())
                    .register(PluginKind.LOSS, new HandRegisteredLoss())
                    .addDiscovered(loader)
                    .addDiscovered(loader) // the same classes again are kept once
                    .build();
            assertEquals(
                    "test-hand-registered-loss",
                    r.find(PluginKind.LOSS, "test-hand-registered-loss")
                            .orElseThrow()
                            .id());
            assertTrue(r.find(PluginKind.REGULARIZER, DiscoverableRegularizerFactory.ID)
                    .isPresent());
        }
    }

    @Test
    void aHandRegisteredFactoryClashingWithADiscoveredOneIsReportedOnce() throws Exception {
        try (URLClassLoader loader = loaderFor("registry-discovery")) {
            PluginRegistry.Builder b = PluginRegistry.builder()
                    .register(PluginKind.REGULARIZER, new ClashingRegularizer())
                    .addDiscovered(loader)
                    .addDiscovered(loader);
            String in = " in " + PluginOrigin.of(ClashingRegularizer.class).location();
            String expected = "two regularizer plugins claim id '" + DiscoverableRegularizerFactory.ID + "': "
                    + ClashingRegularizer.class.getName() + in + " and "
                    + DiscoverableRegularizerFactory.class.getName() + in;
            assertEquals(List.of(expected), b.build().problems());
        }
    }

    /** Claims the id of {@link DiscoverableRegularizerFactory}. */
    static final class ClashingRegularizer implements RegularizerFactory {
        @Override
        public String id() {
            return DiscoverableRegularizerFactory.ID;
        }

        @Override
        public String description() {
            return "Clashes.";
        }

        @Override
        public Regularizer create(Params params) {
            throw new UnsupportedOperationException("test fake: never created");
        }
    }

    @Test
    void aProviderThatCannotBeLoadedIsReportedWithItsJarAndTheHealthyOnesStayUsable() throws Exception {
        URL broken = PluginRegistryDiscoveryTest.class.getClassLoader().getResource("registry-broken/");
        URL healthy = PluginRegistryDiscoveryTest.class.getClassLoader().getResource("registry-discovery/");
        try (URLClassLoader loader =
                new URLClassLoader(new URL[] {broken, healthy}, PluginRegistryDiscoveryTest.class.getClassLoader())) {
            String expected = "cannot load loss plugin org.camloss.runtime.registry.NoSuchLossFactory listed in "
                    + Path.of(broken.toURI()) + " (META-INF/services/org.camloss.api.LossFactory): class not found";
            PluginLoadException e = assertThrows(PluginLoadException.class, () -> PluginRegistry.discover(loader));
            assertEquals(List.of(expected), e.problems());
            assertEquals("cannot use every plugin:\n  " + expected, e.getMessage());
            PluginRegistry lenient =
                    PluginRegistry.builder().addDiscovered(loader).build();
            assertEquals(List.of(expected), lenient.problems());
            assertTrue(lenient.find(PluginKind.REGULARIZER, DiscoverableRegularizerFactory.ID)
                    .isPresent());
            assertTrue(lenient.find(PluginKind.LOSS, "cam-loss").isPresent(), "the built-in plugins are still there");
        }
    }

    @Test
    void aFactoryWhoseDeclarationsThrowIsLeftOutAndNamed() {
        PluginRegistry r = PluginRegistry.builder()
                .register(PluginKind.REGULARIZER, new BadDefault())
                .build();
        assertEquals(
                List.of("regularizer plugin " + BadDefault.class.getName() + " in "
                        + PluginOrigin.of(BadDefault.class).location()
                        + " cannot declare itself: parameter 'size': the "
                        + "default 0 breaks its own rule (must be in [1, 1024], found 0)"),
                r.problems());
        assertTrue(r.ids(PluginKind.REGULARIZER).isEmpty());
    }

    /** Declares a default outside its own range, as the plugin author's trial did. */
    static final class BadDefault implements RegularizerFactory {
        @Override
        public String id() {
            return "cutout";
        }

        @Override
        public String description() {
            return "Cuts a square out.";
        }

        @Override
        public List<org.camloss.api.ParamSpec> params() {
            return List.of(org.camloss.api.ParamSpec.ofInt("size", 0, 1, 1024, "patch side"));
        }

        @Override
        public Regularizer create(Params params) {
            throw new UnsupportedOperationException("test fake: never created");
        }
    }
}
