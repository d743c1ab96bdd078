package org.camloss.runtime.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.util.List;
import java.util.Optional;
import org.camloss.api.BackboneFactory;
import org.camloss.api.DatasetFactory;
import org.camloss.api.DistillerFactory;
import org.camloss.api.LossFactory;
import org.camloss.api.RegularizerFactory;
import org.junit.jupiter.api.Test;

class PluginKindTest {
    @Test
    void theKinds() {
        assertEquals(
                List.of(
                        "loss",
                        "backbone",
                        "regularizer",
                        "distiller",
                        "dataset",
                        "cam-method",
                        "optimizer",
                        "schedule"),
                PluginKind.all().stream().map(PluginKind::name).toList());
        assertEquals(
                List.of("loss", "backbone", "regularizer", "distiller", "dataset", "cam-method"),
                PluginKind.all().stream()
                        .filter(PluginKind::discoverable)
                        .map(PluginKind::name)
                        .toList());
        assertSame(LossFactory.class, PluginKind.LOSS.factoryType());
        assertSame(BackboneFactory.class, PluginKind.BACKBONE.factoryType());
        assertSame(RegularizerFactory.class, PluginKind.REGULARIZER.factoryType());
        assertSame(DistillerFactory.class, PluginKind.DISTILLER.factoryType());
        assertSame(DatasetFactory.class, PluginKind.DATASET.factoryType());
        assertSame(org.camloss.api.cam.CamMethodFactory.class, PluginKind.CAM_METHOD.factoryType());
        assertEquals("loss", PluginKind.LOSS.toString());
    }

    @Test
    void byName() {
        assertEquals(Optional.of(PluginKind.DISTILLER), PluginKind.byName("distiller"));
        assertEquals(Optional.empty(), PluginKind.byName("losses"));
    }
}
