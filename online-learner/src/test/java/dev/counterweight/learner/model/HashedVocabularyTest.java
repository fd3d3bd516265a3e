package dev.counterweight.learner.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.counterweight.core.sampling.StableHash;
import java.util.List;
import org.junit.jupiter.api.Test;

class HashedVocabularyTest {

    @Test
    void indexIsTheUnsignedRemainderOfTheStableHash() {
        HashedVocabulary vocabulary = new HashedVocabulary(1000);

        for (String id : List.of("", "user-1", "item-42", "类目", "a much longer identifier 123")) {
            long expected = Long.remainderUnsigned(StableHash.hash64(0L, id), 1000);
            assertThat(vocabulary.index(id)).isEqualTo((int) expected);
        }
    }

    @Test
    void indicesStayInRangeAndSpreadEvenly() {
        HashedVocabulary vocabulary = new HashedVocabulary(16);
        int[] counts = new int[16];

        for (int i = 0; i < 16_000; i++) {
            counts[vocabulary.index("id-" + i)]++;
        }

        assertThat(java.util.Arrays.stream(counts).boxed())
                .allSatisfy(c -> assertThat(c).isBetween(800, 1200));
    }

    @Test
    void seedChangesTheMapping() {
        HashedVocabulary a = new HashedVocabulary(1 << 20, 1L);
        HashedVocabulary b = new HashedVocabulary(1 << 20, 2L);

        assertThat(a.indices(List.of("x", "y", "z")))
                .isNotEqualTo(b.indices(List.of("x", "y", "z")));
        assertThat(a.indices(List.of("x", "y"))).containsExactly(a.index("x"), a.index("y"));
    }

    @Test
    void rejectsBadSizeAndNullIds() {
        assertThatThrownBy(() -> new HashedVocabulary(0)).hasMessageContaining("size must be in");
        assertThatThrownBy(() -> new HashedVocabulary(1).index(null))
                .isInstanceOf(NullPointerException.class)
                .hasMessageContaining("id must not be null");
    }
}
