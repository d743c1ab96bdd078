package org.camloss.runtime.fewshot;

import java.util.Arrays;
import java.util.List;
import org.camloss.api.Suggestions;
import org.camloss.api.UserException;

/** The few-shot classifiers, by the id the command line and {@code fewshot.json} use. */
public enum FewShotMethod {
    /** Nearest class mean by euclidean distance ({@link PrototypeClassifier}). */
    PROTOTYPE("prototype", "nearest class mean, euclidean distance"),
    /** Nearest class mean by cosine similarity ({@link PrototypeClassifier}). */
    PROTOTYPE_COSINE("prototype-cosine", "nearest class mean, cosine similarity (with the mean of raw features)"),
    /** A linear softmax classifier trained on the support set ({@link LogisticClassifier#standard()}). */
    LOGISTIC("logistic", LogisticClassifier.standard().recipe()),
    /** One nearest neighbour by euclidean distance ({@link NearestNeighbourClassifier}). */
    NEAREST("nearest", "1-nearest neighbour among the support examples, euclidean distance");

    private final String id;
    private final String recipe;

    FewShotMethod(String id, String recipe) {
        this.id = id;
        this.recipe = recipe;
    }

    /** The id, e.g. {@code prototype-cosine}. */
    public String id() {
        return id;
    }

    /** What the classifier does, in one line (written to {@code fewshot.json}). */
    public String recipe() {
        return recipe;
    }

    /** A new classifier. */
    public FewShotClassifier create() {
        return switch (this) {
            case PROTOTYPE -> new PrototypeClassifier(false);
            case PROTOTYPE_COSINE -> new PrototypeClassifier(true);
            case LOGISTIC -> LogisticClassifier.standard();
            case NEAREST -> new NearestNeighbourClassifier();
        };
    }

    /** Every id, in declaration order. */
    public static List<String> ids() {
        return Arrays.stream(values()).map(FewShotMethod::id).toList();
    }

    /**
     * The classifier with {@code id}.
     *
     * @throws UserException naming {@code --classifier}, the valid ids and a near miss
     */
    public static FewShotMethod of(String id) {
        for (FewShotMethod m : values()) {
            if (m.id.equals(id)) {
                return m;
            }
        }
        throw new UserException("--classifier: must be one of " + ids() + ", found '" + id + "'"
                + Suggestions.closest(id, ids())
                        .map(s -> "; did you mean '" + s + "'?")
                        .orElse(""));
    }
}
