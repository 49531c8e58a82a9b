package org.plateau.perturbation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The lists of target types a study runs. */
class TargetTypeTest {

    @Test
    void theStudyRunsEveryTypeButAblationAndThePapersAreItsSeven() {
        assertFalse(TargetType.studied().contains(TargetType.ABLATE_LATENT));
        assertEquals(List.of(TargetType.MODEL_GENERATED, TargetType.RANDOM, TargetType.SYNTHETIC_RANDOM,
                TargetType.SYNTHETIC_BASELINE, TargetType.SYNTHETIC_STRUCTURED, TargetType.SYNTHETIC_STRUCTURED_NO_COS,
                TargetType.SAE_RECONSTRUCTION), TargetType.paper());
        assertEquals(TargetType.studied().size() - 1, TargetType.paper().size(), "all but the co-occurrence synthesis");
    }
}
