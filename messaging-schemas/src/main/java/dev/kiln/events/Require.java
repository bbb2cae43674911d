package dev.kiln.events;

import java.util.List;
import java.util.Map;
import java.util.Objects;

/** Argument checks shared by the validating constructors of the event records. */
final class Require {
    private Require() {
    }

    static String text(String value, String field) {
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException(field + " must not be blank");
        }
        return value;
    }

    static <T> T present(T value, String field) {
        return Objects.requireNonNull(value, field + " must be present");
    }

    static String digest(String value, String field) {
        text(value, field);
        if (!Digest.isSha256(value)) {
            throw new IllegalArgumentException(field + " must be a sha256 digest (sha256:<64 hex>), got: " + value);
        }
        return value;
    }

    static String optionalDigest(String value, String field) {
        return value == null ? null : digest(value, field);
    }

    static <T> List<T> list(List<T> value) {
        return value == null ? List.of() : List.copyOf(value);
    }

    static <K, V> Map<K, V> map(Map<K, V> value) {
        return value == null ? Map.of() : Map.copyOf(value);
    }

    static long notNegative(long value, String field) {
        if (value < 0) {
            throw new IllegalArgumentException(field + " must not be negative");
        }
        return value;
    }
}
