package dev.kiln.cli.service;

import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.Locale;

/** Reading the server's timestamps tolerantly and printing durations. */
final class Times {

    private Times() {
    }

    /** An ISO-8601 instant, with an offset or without one (then UTC); null when absent or unreadable. */
    static Instant parse(String text) {
        if (text == null || text.isBlank()) {
            return null;
        }
        try {
            return OffsetDateTime.parse(text).toInstant();
        } catch (DateTimeParseException e) {
            try {
                return LocalDateTime.parse(text).toInstant(ZoneOffset.UTC);
            } catch (DateTimeParseException e2) {
                return null;
            }
        }
    }

    /** {@code 12.3s}, or null when either end is unknown. */
    static String elapsed(Instant from, Instant to) {
        if (from == null || to == null) {
            return null;
        }
        double seconds = Duration.between(from, to).toMillis() / 1000.0;
        return String.format(Locale.ROOT, "%.1fs", Math.max(0, seconds));
    }
}
