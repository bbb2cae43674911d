package dev.kiln.buildsubmission.rest;

import dev.kiln.buildsubmission.service.SubmissionException;
import dev.kiln.support.text.Excerpt;

/** Checks of path, query and header parameters before they reach the database: 400 naming the parameter. */
final class Params {
    private Params() {
    }

    /**
     * {@code value} (null allowed) may hold no control characters (NUL, newlines, escapes) and at most {@code max}
     * characters; {@code limitKey} names the setting behind {@code max}, if one.
     */
    static String text(String value, String name, int max, String limitKey) {
        if (value == null) {
            return null;
        }
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c < 0x20 || c == 0x7f) {
                throw SubmissionException.invalid("Invalid " + name, name + " must not contain control characters "
                        + "(such as NUL or a line break); got " + Excerpt.of(value));
            }
        }
        if (value.length() > max) {
            throw SubmissionException.invalid("Invalid " + name, name + " is " + value.length() + " characters long; "
                    + "at most " + max + " are allowed" + (limitKey == null ? "" : " (" + limitKey + ")") + ": "
                    + Excerpt.of(value));
        }
        return value;
    }

    static String text(String value, String name, int max) {
        return text(value, name, max, null);
    }
}
