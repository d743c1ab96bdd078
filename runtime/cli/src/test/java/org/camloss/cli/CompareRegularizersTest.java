package org.camloss.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code compare --regularizers}: sets × cross-entropy and CAM-loss × seeds, the table, and bad input (exit 2). */
class CompareRegularizersTest {
    private static final String TINY = "name: tiny\nseed: 3\n"
            + "data: { id: shapes, params: { train: 64, test: 32, size: 16 } }\n"
            + "backbone: { id: resnet-cifar, params: { depth: 8, width: 0.25 } }\n"
            + "loss: { id: cam-loss }\n"
            + "regularizers: [ { id: cutout, params: { size: 4 } } ]\n"
            + "train: { epochs: 1, batch_size: 32, progress: false }\n";

    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    private int run(String... args) {
        return Main.commandLine(new PrintWriter(out, true), new PrintWriter(err, true))
                .execute(args);
    }

    private Path config(Path tmp, String text) throws Exception {
        Path cfg = tmp.resolve("c.yaml");
        Files.writeString(cfg, text);
        return cfg;
    }

    @Test
    void comparesEachSetWithCrossEntropyAndCamLoss(@TempDir Path tmp) throws Exception {
        Path dir = tmp.resolve("cmp");
        int code = run(
                "compare",
                config(tmp, TINY).toString(),
                "--seeds",
                "2",
                "--regularizers",
                "none,cutmix:cam_target=regional,cutout+stochastic-depth",
                "--out",
                dir.toString(),
                "--no-progress");
        assertEquals(0, code, err.toString());
        for (String v : List.of(
                "none-cross-entropy",
                "none-cam-loss",
                "cutmix.cam_target.regional-cross-entropy",
                "cutmix.cam_target.regional-cam-loss",
                "cutout_stochastic-depth-cross-entropy",
                "cutout_stochastic-depth-cam-loss")) {
            for (int seed : new int[] {3, 4}) {
                assertTrue(Files.isDirectory(dir.resolve(v + "-seed" + seed)), v + "-seed" + seed);
            }
        }
        String table = Files.readString(dir.resolve("table.md"));
        List<String> lines = table.lines().toList();
        assertEquals(
                "| regularizers | cross-entropy acc | cam-loss acc | cross-entropy CAAM pointing | cam-loss CAAM pointing |",
                lines.get(0));
        assertEquals(5, lines.size(), table);
        assertTrue(lines.get(3).startsWith("| cutmix:cam_target=regional | "), table);
        assertTrue(out.toString().contains(table), out.toString());
        assertEquals(13, Files.readAllLines(dir.resolve("compare.csv")).size(), "header + 6 variants x 2 seeds");
        assertTrue(Files.exists(dir.resolve("accuracy.png")));
        // the config's cutout keeps its size 4 (16x16 images); the set replaces the config's list
        String runJson = Files.readString(dir.resolve("cutout_stochastic-depth-cam-loss-seed3/run.json"));
        assertTrue(runJson.contains("\"size\" : 4") || runJson.contains("\"size\":4"), runJson);
        String none = Files.readString(dir.resolve("none-cam-loss-seed3/run.json"));
        assertTrue(none.contains("\"regularizers\" : [ ]") || none.contains("\"regularizers\":[]"), none);
    }

    private void refused(Path tmp, String config, String sets, String message, String... more) throws Exception {
        Path dir = tmp.resolve("cmp");
        List<String> args = new java.util.ArrayList<>(
                List.of("compare", config(tmp, config).toString(), "--regularizers", sets, "--out", dir.toString()));
        args.addAll(List.of(more));
        assertEquals(2, run(args.toArray(new String[0])), err.toString());
        assertEquals(message, err.toString().trim());
        assertFalse(err.toString().contains("\tat "), "stack trace printed");
        assertTrue(Files.notExists(dir), "nothing is trained before the refusal");
    }

    @Test
    void refusesBadSetsWithExitTwo(@TempDir Path tmp) throws Exception {
        refused(
                tmp,
                TINY,
                "none,none+mixup",
                "error: --regularizers: 'none' cannot be combined with regularizers, in set 'none+mixup'; give none "
                        + "as a set of its own");
        out.getBuffer().setLength(0);
        err.getBuffer().setLength(0);
        refused(
                tmp,
                TINY,
                "mixupp",
                "error: --regularizers: set 'mixupp': no regularizer plugin 'mixupp'; did you mean 'mixup'? available: "
                        + "[cutmix, cutout, dropout, label-smoothing, mixup, random-erasing, shakedrop, stochastic-depth]");
        err.getBuffer().setLength(0);
        refused(
                tmp,
                TINY,
                "cutmix+",
                "error: --regularizers: an empty regularizer in set 'cutmix+'; join regularizers with '+', e.g. "
                        + "none,mixup,cutmix,cutmix:cam_target=regional,cutout+dropout");
        err.getBuffer().setLength(0);
        refused(
                tmp,
                TINY,
                "cutmix:alpha",
                "error: --regularizers: 'cutmix:alpha' in set 'cutmix:alpha': expected ID:param=value, e.g. "
                        + "cutmix:cam_target=regional");
        err.getBuffer().setLength(0);
        refused(tmp, TINY, "mixup,mixup", "error: --regularizers: set 'mixup' is given twice");
        err.getBuffer().setLength(0);
        refused(
                tmp,
                TINY,
                "mixup",
                "error: --regularizers and --distillers cannot be combined; compare one of them at a time",
                "--distillers",
                "kd");
    }

    @Test
    void refusesAVariantTheBackboneCannotTrainBeforeTheFirstRun(@TempDir Path tmp) throws Exception {
        refused(
                tmp,
                // vgg at stride 16 on 32x32 images: a 2x2 map, so the regularizer check is the one that refuses
                TINY.replace(
                                "resnet-cifar, params: { depth: 8, width: 0.25 }",
                                "vgg, params: { depth: 11, last_pool: false }")
                        .replace("size: 16", "size: 32"),
                "none,shakedrop",
                "error: invalid configuration\n"
                        + "config: regularizers.0.id: 'shakedrop' perturbs residual branches, but backbone 'vgg' does "
                        + "not apply ShakeDrop (it applies none); backbones that do: [pyramidnet, resnet, resnet-cifar,"
                        + " resnext, wide-resnet]");
    }
}
