package dev.kiln.support.text;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class ExcerptTest {
    @Test
    void shortValuesAreQuotedWhole() {
        assertEquals("\"hello\"", Excerpt.of("hello"));
        assertEquals("(none)", Excerpt.of(null));
    }

    @Test
    void longValuesAreCutAndTheirLengthNamed() {
        String e = Excerpt.of("x".repeat(1_000_000));
        assertTrue(e.length() < 100, e);
        assertTrue(e.endsWith("… (1000000 characters)"), e);
    }

    @Test
    void controlCharactersAreEscaped() {
        assertEquals("\"abc\\u0000def\\u000a\"", Excerpt.of("abc\0def\n"));
        assertEquals("\"a\\\"b\"", Excerpt.of("a\"b"));
    }
}
