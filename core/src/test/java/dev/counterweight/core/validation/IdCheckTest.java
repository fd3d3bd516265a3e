package dev.counterweight.core.validation;

import static org.assertj.core.api.Assertions.assertThat;

import dev.counterweight.core.validation.IdCheck.Problem;
import org.junit.jupiter.api.Test;

class IdCheckTest {

    @Test
    void acceptsAnIdUpToTheLimit() {
        assertThat(IdCheck.check("userId", "u1234", 5, "x.max")).isNull();
    }

    @Test
    void refusesAMissingOrBlankId() {
        Problem expected = new Problem(IdCheck.MISSING_ID, "itemId is empty");
        assertThat(IdCheck.check("itemId", null, 5, "x.max")).isEqualTo(expected);
        assertThat(IdCheck.check("itemId", "", 5, "x.max")).isEqualTo(expected);
        assertThat(IdCheck.check("itemId", " \t", 5, "x.max")).isEqualTo(expected);
    }

    @Test
    void refusesALongIdNamingTheLimitAndItsOption() {
        assertThat(IdCheck.check("categoryId", "c12345", 5, "x.max-id-length"))
                .isEqualTo(
                        new Problem(
                                IdCheck.OVERSIZED_FIELD,
                                "categoryId has 6 chars, limit 5 (x.max-id-length)"));
    }
}
