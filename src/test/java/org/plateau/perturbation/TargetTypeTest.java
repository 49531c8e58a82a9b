package org.plateau.perturbation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The lists of target types a study runs (--types). */
class TargetTypeTest {

    @Test
    void allIsEveryStudiedTypeAndPaperIsThePapersSeven() {
        assertEquals(TargetType.studied(), TargetType.parseStudied("all"));
        assertFalse(TargetType.studied().contains(TargetType.ABLATE_LATENT));
        List<TargetType> paper = TargetType.parseStudied(" paper ");
        assertEquals(List.of(TargetType.MODEL_GENERATED, TargetType.RANDOM, TargetType.SYNTHETIC_RANDOM,
                TargetType.SYNTHETIC_BASELINE, TargetType.SYNTHETIC_STRUCTURED, TargetType.SYNTHETIC_STRUCTURED_NO_COS,
                TargetType.SAE_RECONSTRUCTION), paper);
        assertTrue(paper.stream().noneMatch(TargetType::extension));
    }

    @Test
    void aListComesInTheUsualOrderWithoutRepeats() {
        assertEquals(List.of(TargetType.MODEL_GENERATED, TargetType.SYNTHETIC_STRUCTURED, TargetType.SYNTHETIC_COOCCURRENCE),
                TargetType.parseStudied("synthetic-cooccurrence, synthetic-structured,model-generated,synthetic-structured,"));
    }
}
