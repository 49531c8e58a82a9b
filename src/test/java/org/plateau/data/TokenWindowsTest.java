package org.plateau.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import org.apache.commons.math3.random.Well19937c;
import org.junit.jupiter.api.Test;
import org.plateau.PlateauException;

class TokenWindowsTest {

    @Test
    void everyWindowOfEverySequenceLongEnoughIsAPrompt() {
        TokenWindows w = new TokenWindows(List.of(new int[] {1, 2, 3, 4}, new int[] {9}, new int[] {5, 6, 7}), 3, "t");
        assertEquals(3, w.size()); // two from the first sequence, none from the second, one from the third
        assertArrayEquals(new int[] {1, 2, 3}, w.window(0));
        assertArrayEquals(new int[] {2, 3, 4}, w.window(1));
        assertArrayEquals(new int[] {5, 6, 7}, w.window(2));
        assertEquals(2, w.sequenceCount());
        assertArrayEquals(w.draw(new Well19937c(4)), w.draw(new Well19937c(4)));
    }

    @Test
    void aDatasetWithoutAWindowIsRefused() {
        PlateauException e = assertThrows(PlateauException.class,
                () -> new TokenWindows(List.of(new int[] {1, 2}), 10, "tiny"));
        assertEquals("The dataset tiny has no window of 10 tokens.", e.getMessage());
    }

    @Test
    void randomTokensAvoidTheLastId() {
        RandomTokenPrompts p = new RandomTokenPrompts(5, 10);
        Well19937c rng = new Well19937c(1);
        for (int i = 0; i < 200; i++) {
            for (int t : p.draw(rng)) {
                assertEquals(true, t >= 0 && t < 4);
            }
        }
    }
}
