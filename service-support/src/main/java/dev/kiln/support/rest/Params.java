package dev.kiln.support.rest;

import dev.kiln.events.Digest;
import dev.kiln.support.text.Excerpt;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Checks of query and path parameters. Each refusal is a {@link ProblemException} 400 whose detail names the
 * parameter, the rule and (as an {@link Excerpt}) what was sent. Absent means null or empty.
 */
public final class Params {
    /** A manifest or blob digest as Kiln records them. */
    /** Longest free-text parameter value (names, references) Kiln reads. */
    public static final int MAX_TEXT = 256;

    private Params() {
    }

    /** {@code value}, which must be given. */
    public static String required(String name, String value, String example) {
        if (value == null || value.isEmpty()) {
            throw ProblemException.badRequest(name + " is required: give " + example);
        }
        return text(name, value, MAX_TEXT);
    }

    /** A digest {@code sha256:<64 hex>}, required. */
    public static String digest(String name, String value) {
        if (value == null || value.isEmpty()) {
            throw ProblemException.badRequest(name + " is required: give ?" + name + "=sha256:<64 hex>");
        }
        return optionalDigest(name, value).orElseThrow();
    }

    /** A digest {@code sha256:<64 hex>}, or empty when absent. */
    public static Optional<String> optionalDigest(String name, String value) {
        if (value == null || value.isEmpty()) {
            return Optional.empty();
        }
        if (!Digest.isSha256(value)) {
            throw ProblemException.badRequest(name + " must be a digest sha256:<64 lower-case hex digits>, got "
                    + Excerpt.of(value));
        }
        return Optional.of(value);
    }

    /** A whole number from {@code min} to {@code max}; {@code absent} when not given. */
    public static int integer(String name, String value, int absent, int min, int max) {
        if (value == null || value.isEmpty()) {
            return absent;
        }
        long n;
        try {
            n = Long.parseLong(value.strip());
        } catch (NumberFormatException e) {
            throw ProblemException.badRequest(name + " must be a whole number from " + min + " to " + max + ", got "
                    + Excerpt.of(value));
        }
        if (n < min || n > max) {
            throw ProblemException.badRequest(name + " must be from " + min + " to " + max + ", got " + n);
        }
        return (int) n;
    }

    /** One of {@code allowed} (exact spelling), or null when absent. */
    public static String oneOf(String name, String value, List<String> allowed) {
        if (value == null || value.isEmpty()) {
            return null;
        }
        if (!allowed.contains(value)) {
            throw ProblemException.badRequest(name + " must be one of " + String.join(", ", allowed) + ", got "
                    + Excerpt.of(value));
        }
        return value;
    }

    /** Free text of at most {@code maxLength} characters without control characters, or null when absent. */
    public static String text(String name, String value, int maxLength) {
        if (value == null || value.isEmpty()) {
            return null;
        }
        if (value.length() > maxLength) {
            throw ProblemException.badRequest(name + " must be at most " + maxLength + " characters, got "
                    + value.length() + ": " + Excerpt.of(value));
        }
        for (int i = 0; i < value.length(); i++) {
            if (Character.isISOControl(value.charAt(i))) {
                throw ProblemException.badRequest(name + " must not contain control characters (NUL, newlines, "
                        + "escapes), got " + Excerpt.of(value));
            }
        }
        return value;
    }

    /** Text matching {@code rule}, described to the client as {@code ruleInWords}; null when absent. */
    public static String matching(String name, String value, Pattern rule, String ruleInWords) {
        String v = text(name, value, MAX_TEXT);
        if (v != null && !rule.matcher(v).matches()) {
            throw ProblemException.badRequest(name + " must be " + ruleInWords + ", got " + Excerpt.of(value));
        }
        return v;
    }
}
