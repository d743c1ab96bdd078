package org.camloss.runtime.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URL;
import java.net.URLClassLoader;
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
            assertInstanceOf(DiscoverableRegularizerFactory.class,
                    r.find(PluginKind.REGULARIZER, DiscoverableRegularizerFactory.ID).orElseThrow());
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
            assertEquals("test-hand-registered-loss",
                    r.find(PluginKind.LOSS, "test-hand-registered-loss").orElseThrow().id());
            assertTrue(r.find(PluginKind.REGULARIZER, DiscoverableRegularizerFactory.ID).isPresent());
        }
    }

    @Test
    void aHandRegisteredFactoryClashingWithADiscoveredOneIsReportedOnce() throws Exception {
        try (URLClassLoader loader = loaderFor("registry-discovery")) {
            PluginRegistry.Builder b = PluginRegistry.builder()
                    .register(PluginKind.REGULARIZER, new ClashingRegularizer())
                    .addDiscovered(loader)
                    .addDiscovered(loader);
            IllegalStateException e = assertThrows(IllegalStateException.class, b::build);
            String expected = "two regularizer plugins claim id '" + DiscoverableRegularizerFactory.ID + "': "
                    + ClashingRegularizer.class.getName() + " and " + DiscoverableRegularizerFactory.class.getName();
            assertEquals(1, e.getMessage().lines().filter(expected::equals).count(), e.getMessage());
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
    void aProviderThatCannotBeLoadedIsReported() throws Exception {
        try (URLClassLoader loader = loaderFor("registry-broken")) {
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> PluginRegistry.discover(loader));
            assertTrue(e.getMessage().lines().anyMatch(line -> line.equals("cannot load a loss plugin: "
                    + "org.camloss.api.LossFactory: Provider org.camloss.runtime.registry.NoSuchLossFactory not found")),
                    e.getMessage());
        }
    }
}
