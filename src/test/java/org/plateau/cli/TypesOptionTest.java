package org.plateau.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.plateau.perturbation.TargetType;

/** --types of reproduce and layers (its refusals: ReproduceBadSettingsTest). */
class TypesOptionTest {

    @Test
    void allAndPaperNameTheStudysLists() {
        assertEquals(TargetType.studied(), Inputs.types("all"));
        assertEquals(TargetType.paper(), Inputs.types(" paper "));
    }

    @Test
    void aListComesInTheUsualOrderWithoutRepeats() {
        assertEquals(List.of(TargetType.MODEL_GENERATED, TargetType.SYNTHETIC_STRUCTURED, TargetType.SYNTHETIC_COOCCURRENCE),
                Inputs.types("synthetic-cooccurrence, synthetic-structured,model-generated,synthetic-structured,"));
    }
}
