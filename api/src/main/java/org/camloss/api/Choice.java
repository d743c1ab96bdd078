package org.camloss.api;

import java.util.Arrays;
import java.util.List;

/**
 * An enum whose constants configs name by a kebab-case id (for example {@code weight-detached}), for
 * {@link ParamSpec#ofChoice(String, Enum, String)} and {@link Params#getChoice(String, Class)}.
 */
public interface Choice {
    /** The id configs use, e.g. {@code min-max}. */
    String id();

    /** Every id of {@code type}, in declaration order. */
    static <E extends Enum<E> & Choice> List<String> ids(Class<E> type) {
        return Arrays.stream(type.getEnumConstants()).map(Choice::id).toList();
    }

    /**
     * The constant of {@code type} named {@code id}.
     *
     * @throws IllegalArgumentException naming the id and the valid ones, with a "did you mean" hint
     */
    static <E extends Enum<E> & Choice> E of(Class<E> type, String id) {
        for (E e : type.getEnumConstants()) {
            if (e.id().equals(id)) {
                return e;
            }
        }
        throw new IllegalArgumentException("unknown " + type.getSimpleName() + " '" + id + "'; "
                + Suggestions.didYouMean(id, ids(type)) + "valid: " + ids(type));
    }
}
