package org.camloss.api;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class SuggestionsTest {
    private static final List<String> TOP = List.of(
            "name", "seed", "data", "backbone", "loss", "regularizers", "optimizer", "schedule", "train", "distill");

    @Test
    void distance() {
        assertEquals(0, Suggestions.distance("abc", "abc"));
        assertEquals(3, Suggestions.distance("", "abc"));
        assertEquals(1, Suggestions.distance("cam-los", "cam-loss"));
        assertEquals(2, Suggestions.distance("alpah", "alpha"));
        assertEquals(3, Suggestions.distance("kitten", "sitting"));
    }

    @Test
    void nearMissesAreSuggested() {
        assertEquals(Optional.of("train"), Suggestions.closest("trian", TOP));
        assertEquals(Optional.of("alpha"), Suggestions.closest("alpah", List.of("alpha", "eps", "routing")));
        assertEquals(Optional.of("regularizers"), Suggestions.closest("regularisers", TOP));
        assertEquals(Optional.of("distill"), Suggestions.closest("Distill", TOP), "case-insensitive");
    }

    @Test
    void aThirdOfTheLengthAllowsMoreEditsForLongNames() {
        // distance 3, input length 15: 3 <= 15 / 3
        assertEquals(Optional.of("resnet-cifar"), Suggestions.closest("resnet-cifarxyz", List.of("resnet-cifar")));
    }

    @Test
    void prefixesAreSuggested() {
        assertEquals(Optional.of("cam-loss"), Suggestions.closest("cam", List.of("cross-entropy", "cam-loss")));
        assertEquals(Optional.of("sgd"), Suggestions.closest("sgd-momentum", List.of("adam", "sgd")));
    }

    @Test
    void farOffNamesAreNotSuggested() {
        assertEquals(Optional.empty(), Suggestions.closest("xyz", TOP));
        assertEquals(Optional.empty(), Suggestions.closest("id", List.of("lr")), "every character differs");
        assertEquals(Optional.empty(), Suggestions.closest("", TOP));
        assertEquals(Optional.empty(), Suggestions.closest("anything", List.of()));
    }

    @Test
    void theClosestWinsAndTiesGoToTheFirstCandidate() {
        assertEquals(Optional.of("lost"), Suggestions.closest("los", List.of("lost", "loss")));
        assertEquals(Optional.of("loss"), Suggestions.closest("los", List.of("loss", "lost")));
        assertEquals(Optional.of("eps"), Suggestions.closest("ep", List.of("epochs", "eps")));
    }

    @Test
    void didYouMeanAndUnknown() {
        assertEquals("did you mean 'train'? ", Suggestions.didYouMean("trian", TOP));
        assertEquals("", Suggestions.didYouMean("zzzzz", TOP));
        assertEquals(
                "no optimizer 'sgdd'; did you mean 'sgd'? available: [adam, sgd]",
                Suggestions.unknown("optimizer", "sgdd", List.of("adam", "sgd")));
        assertEquals(
                "no optimizer 'lbfgs'; available: [adam, sgd]",
                Suggestions.unknown("optimizer", "lbfgs", List.of("adam", "sgd")));
        assertEquals("no optimizer 'x'; there are none", Suggestions.unknown("optimizer", "x", List.of()));
    }
}
