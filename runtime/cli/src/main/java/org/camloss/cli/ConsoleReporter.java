package org.camloss.cli;

import java.io.PrintStream;
import java.util.Locale;
import java.util.Map;
import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;
import org.camloss.runtime.train.BatchStats;
import org.camloss.runtime.train.EpochStats;
import org.camloss.runtime.train.RunInfo;
import org.camloss.runtime.train.TrainListener;

/**
 * Console output of a run: a live progress bar per epoch (batch, loss parts, img/s, ETA) on an
 * interactive terminal — or a plain line every few seconds otherwise — and one summary line per epoch.
 */
public final class ConsoleReporter implements TrainListener {
    private final PrintStream out;
    private final boolean live;
    private final String label;
    private ProgressBar bar;
    private int epochs;
    private long lastPlain;

    /**
     * @param out   where to print (usually {@code System.err} for the bar)
     * @param live  draw a progress bar (true on a terminal)
     * @param label prefix of every line, e.g. the experiment name
     */
    public ConsoleReporter(PrintStream out, boolean live, String label) {
        this.out = out;
        this.live = live;
        this.label = label;
    }

    @Override
    public void onRunStart(RunInfo info) {
        epochs = info.epochs();
        out.printf(
                Locale.ROOT,
                "[%s] %d epochs x %d batches, %d train / %d test images, %,d parameters, %s %d threads%n",
                label,
                info.epochs(),
                info.batchesPerEpoch(),
                info.trainSize(),
                info.testSize(),
                info.parameters(),
                org.camloss.engine.Backend.name(),
                org.camloss.engine.Backend.threads());
    }

    @Override
    public void onEpochStart(int epoch, int batches) {
        lastPlain = System.nanoTime();
        if (live) {
            bar = new ProgressBarBuilder()
                    .setTaskName(String.format(Locale.ROOT, "%s %d/%d", label, epoch + 1, epochs))
                    .setInitialMax(batches)
                    .setStyle(ProgressBarStyle.ASCII)
                    .setUpdateIntervalMillis(250)
                    .setConsumer(new ConsoleProgressBarConsumer(out, 140))
                    .build();
        }
    }

    @Override
    public void onBatchEnd(BatchStats s) {
        String msg = terms(s.loss(), s.terms()) + String.format(Locale.ROOT, " %.0f img/s", s.imagesPerSec());
        if (bar != null) {
            bar.stepTo(s.batch() + 1);
            bar.setExtraMessage(msg);
        } else if (System.nanoTime() - lastPlain > 10_000_000_000L) {
            lastPlain = System.nanoTime();
            out.printf(
                    Locale.ROOT,
                    "[%s] epoch %d/%d batch %d/%d %s%n",
                    label,
                    s.epoch() + 1,
                    epochs,
                    s.batch() + 1,
                    s.batches(),
                    msg);
        }
    }

    @Override
    public void onEpochEnd(EpochStats s) {
        if (bar != null) {
            bar.close();
            bar = null;
        }
        Map<String, Object> m = s.metrics();
        StringBuilder line = new StringBuilder(String.format(
                Locale.ROOT, "[%s] epoch %d/%d  train_loss %.4f", label, s.epoch(), s.epochs(), s.get("train_loss")));
        for (Map.Entry<String, Object> e : m.entrySet()) {
            if (e.getKey().startsWith("train_")
                    && !e.getKey().equals("train_loss")
                    && !e.getKey().equals("train_seconds")) {
                line.append(String.format(Locale.ROOT, "  %s %.4f", e.getKey(), ((Number) e.getValue()).doubleValue()));
            }
        }
        line.append(String.format(Locale.ROOT, "  test_acc %.4f", s.get("test_accuracy")));
        if (m.containsKey("test_caam_pointing")) {
            line.append(String.format(
                    Locale.ROOT,
                    "  caam_point %.3f  cam_point %.3f",
                    s.get("test_caam_pointing"),
                    s.get("test_cam_pointing")));
        }
        line.append(String.format(
                Locale.ROOT,
                "  %.0f img/s  %.1fs",
                s.get("images_per_sec"),
                s.get("train_seconds") + s.get("eval_seconds")));
        out.println(line);
    }

    private static String terms(double loss, Map<String, Double> terms) {
        StringBuilder sb = new StringBuilder(String.format(Locale.ROOT, "loss %.4f", loss));
        terms.forEach((k, v) -> sb.append(String.format(Locale.ROOT, " %s %.4f", k, v)));
        return sb.toString();
    }
}
