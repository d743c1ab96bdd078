package org.camloss.runtime.fewshot;

/**
 * A linear softmax classifier trained on the support set: Chen et al. 2019's "Baseline" (a new linear layer on frozen
 * features), in the deterministic full-batch form used here.
 *
 * <p>The exact recipe ({@link #standard()}): logits {@code z = W x + b} with {@code W} [ways, dim] and {@code b}
 * [ways], both initialised to zero, on the features as extracted (no normalisation); loss the mean softmax
 * cross-entropy over the whole support set plus {@code (λ/2)·‖W‖²} with {@code λ = 0.001} (the bias is not decayed);
 * 100 steps of Adam on the full support set (learning rate 0.01, β₁ 0.9, β₂ 0.999, ε 1e-8, bias-corrected moments),
 * in double precision. Queries take the way of the largest logit, ties to the lower way. No randomness is involved,
 * so an episode's result depends only on its support and queries.
 *
 * <p>Chen et al. trained with SGD (learning rate 0.01, momentum 0.9, weight decay 0.001) for 100 epochs of mini-batches
 * of 4; full-batch Adam is deterministic, does not depend on the order of the support set, and its step size does not
 * depend on the scale of the features, which differs from backbone to backbone.
 */
public final class LogisticClassifier implements FewShotClassifier {
    private static final double BETA1 = 0.9;
    private static final double BETA2 = 0.999;
    private static final double EPS = 1e-8;

    private final int steps;
    private final double learningRate;
    private final double l2;

    /**
     * @param steps        full-batch Adam steps
     * @param learningRate Adam's learning rate
     * @param l2           λ of {@code (λ/2)·‖W‖²}
     */
    public LogisticClassifier(int steps, double learningRate, double l2) {
        if (steps < 0 || !(learningRate > 0) || !(l2 >= 0)) {
            throw new IllegalArgumentException("steps must be >= 0, the learning rate > 0 and l2 >= 0, found " + steps
                    + ", " + learningRate + ", " + l2);
        }
        this.steps = steps;
        this.learningRate = learningRate;
        this.l2 = l2;
    }

    /** The recipe of the class comment: 100 steps, learning rate 0.01, λ 0.001. */
    public static LogisticClassifier standard() {
        return new LogisticClassifier(100, 0.01, 1e-3);
    }

    /** The recipe in one line, for results files. */
    public String recipe() {
        return "linear softmax on the support set: W, b from zero; mean cross-entropy + (" + l2 + "/2)*|W|^2 (bias "
                + "not decayed); " + steps + " full-batch Adam steps, lr " + learningRate
                + ", betas 0.9/0.999, eps 1e-8; features as extracted";
    }

    /**
     * The trained weights.
     *
     * @param weight [ways][dim]
     * @param bias   [ways]
     */
    public record Linear(double[][] weight, double[] bias) {
        /** The logits of {@code x}. */
        public double[] logits(float[] x) {
            double[] z = bias.clone();
            for (int w = 0; w < z.length; w++) {
                double[] row = weight[w];
                double s = 0;
                for (int d = 0; d < x.length; d++) {
                    s += row[d] * x[d];
                }
                z[w] += s;
            }
            return z;
        }
    }

    @Override
    public int[] predict(float[][] support, int[] supportWays, int ways, float[][] queries) {
        Linear model = fit(support, supportWays, ways);
        int[] out = new int[queries.length];
        for (int q = 0; q < queries.length; q++) {
            double[] z = model.logits(queries[q]);
            int best = 0;
            for (int w = 1; w < ways; w++) {
                if (z[w] > z[best]) {
                    best = w;
                }
            }
            out[q] = best;
        }
        return out;
    }

    /** Trains the classifier on the support set by the recipe. */
    public Linear fit(float[][] support, int[] supportWays, int ways) {
        int dim = support[0].length;
        double[][] w = new double[ways][dim];
        double[] b = new double[ways];
        double[][] mw = new double[ways][dim];
        double[][] vw = new double[ways][dim];
        double[] mb = new double[ways];
        double[] vb = new double[ways];
        double[][] gw = new double[ways][dim];
        double[] gb = new double[ways];
        Linear model = new Linear(w, b);
        for (int t = 1; t <= steps; t++) {
            gradient(model, support, supportWays, gw, gb);
            double c1 = 1 - Math.pow(BETA1, t);
            double c2 = 1 - Math.pow(BETA2, t);
            for (int k = 0; k < ways; k++) {
                for (int d = 0; d < dim; d++) {
                    double g = gw[k][d];
                    mw[k][d] = BETA1 * mw[k][d] + (1 - BETA1) * g;
                    vw[k][d] = BETA2 * vw[k][d] + (1 - BETA2) * g * g;
                    w[k][d] -= learningRate * (mw[k][d] / c1) / (Math.sqrt(vw[k][d] / c2) + EPS);
                }
                double g = gb[k];
                mb[k] = BETA1 * mb[k] + (1 - BETA1) * g;
                vb[k] = BETA2 * vb[k] + (1 - BETA2) * g * g;
                b[k] -= learningRate * (mb[k] / c1) / (Math.sqrt(vb[k] / c2) + EPS);
            }
        }
        return model;
    }

    /** The loss of {@code model} on the support set: mean cross-entropy plus {@code (λ/2)·‖W‖²}. */
    public double loss(Linear model, float[][] support, int[] supportWays) {
        double ce = 0;
        for (int i = 0; i < support.length; i++) {
            double[] z = model.logits(support[i]);
            double max = Double.NEGATIVE_INFINITY;
            for (double v : z) {
                max = Math.max(max, v);
            }
            double sum = 0;
            for (double v : z) {
                sum += Math.exp(v - max);
            }
            ce += max + Math.log(sum) - z[supportWays[i]];
        }
        double reg = 0;
        for (double[] row : model.weight()) {
            for (double v : row) {
                reg += v * v;
            }
        }
        return ce / support.length + 0.5 * l2 * reg;
    }

    /** Writes the gradient of {@link #loss} with respect to W and b into {@code gw} and {@code gb}. */
    void gradient(Linear model, float[][] support, int[] supportWays, double[][] gw, double[] gb) {
        int ways = gb.length;
        int n = support.length;
        for (int k = 0; k < ways; k++) {
            java.util.Arrays.fill(gw[k], 0);
            gb[k] = 0;
        }
        for (int i = 0; i < n; i++) {
            float[] x = support[i];
            double[] p = model.logits(x);
            double max = Double.NEGATIVE_INFINITY;
            for (double v : p) {
                max = Math.max(max, v);
            }
            double sum = 0;
            for (int k = 0; k < ways; k++) {
                p[k] = Math.exp(p[k] - max);
                sum += p[k];
            }
            for (int k = 0; k < ways; k++) {
                double r = (p[k] / sum - (supportWays[i] == k ? 1 : 0)) / n;
                gb[k] += r;
                double[] g = gw[k];
                for (int d = 0; d < x.length; d++) {
                    g[d] += r * x[d];
                }
            }
        }
        for (int k = 0; k < ways; k++) {
            double[] wk = model.weight()[k];
            for (int d = 0; d < wk.length; d++) {
                gw[k][d] += l2 * wk[d];
            }
        }
    }
}
