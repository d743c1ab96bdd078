package org.camloss.cli;

import java.io.PrintStream;
import java.util.Locale;
import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;
import org.camloss.runtime.explain.ExplainListener;

/**
 * Progress of long work on images ({@code explain}, {@code eval --faithfulness}, reports): a live bar on an
 * interactive terminal, a plain line every 10 seconds otherwise.
 */
final class TaskProgress implements ExplainListener, AutoCloseable {
    private final PrintStream out;
    private final boolean live;
    private final String label;
    private ProgressBar bar;
    private String stage;
    private long lastPlain = System.nanoTime();

    TaskProgress(PrintStream out, boolean live, String label) {
        this.out = out;
        this.live = live;
        this.label = label;
    }

    @Override
    public void progress(String stage, long done, long total) {
        if (live) {
            if (bar == null || !stage.equals(this.stage)) {
                close();
                this.stage = stage;
                bar = new ProgressBarBuilder()
                        .setTaskName(label + " " + stage)
                        .setInitialMax(total)
                        .setUnit(" img", 1)
                        .setStyle(ProgressBarStyle.ASCII)
                        .setUpdateIntervalMillis(250)
                        .setConsumer(new ConsoleProgressBarConsumer(out, 120))
                        .build();
            }
            bar.stepTo(done);
        } else if (done == total || System.nanoTime() - lastPlain > 10_000_000_000L) {
            lastPlain = System.nanoTime();
            out.printf(Locale.ROOT, "[%s] %s %d/%d images%n", label, stage, done, total);
        }
    }

    @Override
    public void close() {
        if (bar != null) {
            bar.close();
            bar = null;
        }
    }
}
