package dev.kiln.support.rest;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.io.JsonEOFException;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import dev.kiln.support.text.Excerpt;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.net.URI;
import java.time.temporal.Temporal;
import java.util.Arrays;
import java.util.Collection;
import java.util.Map;
import java.util.TreeSet;
import java.util.UUID;
import java.util.stream.Collectors;

/**
 * A request body Jackson could not read, said in words: where (a JSON pointer such as {@code /git/url}) and what was
 * expected ("a string", "a whole number"), never Jackson's own text or a Java type name.
 */
public final class JsonProblems {
    public static final String PREFIX = "the request body is not valid JSON for this endpoint: ";

    private JsonProblems() {
    }

    public static Problem problem(JsonProcessingException e) {
        return Problem.of(400, "Malformed JSON", detail(e));
    }

    public static String detail(JsonProcessingException e) {
        if (e instanceof JsonEOFException) {
            return PREFIX + "it ends before the JSON value is complete" + at(e.getLocation());
        }
        if (e instanceof JsonParseException) {
            return PREFIX + "it is not JSON syntax" + at(e.getLocation());
        }
        if (e instanceof UnrecognizedPropertyException u) {
            String known = u.getKnownPropertyIds() == null ? "" : u.getKnownPropertyIds().stream()
                    .map(String::valueOf).collect(Collectors.toCollection(TreeSet::new)).stream()
                    .collect(Collectors.joining(", "));
            return PREFIX + "unknown field " + Excerpt.of(pointer(u)) + (known.isEmpty() ? "" : "; the fields are " + known);
        }
        if (e instanceof MismatchedInputException m) {
            String original = m.getOriginalMessage() == null ? "" : m.getOriginalMessage();
            if (m.getPath().isEmpty() && original.startsWith("No content to map")) {
                return PREFIX + "the body is empty; send " + words(m.getTargetType());
            }
            if (original.startsWith("Trailing token")) {
                return PREFIX + "it holds more than one JSON value; send one" + at(m.getLocation());
            }
            if (m.getPath().isEmpty()) {
                return PREFIX + "the body must be " + words(m.getTargetType());
            }
            return PREFIX + Excerpt.of(pointer(m)) + " must be " + words(m.getTargetType());
        }
        if (e instanceof JsonMappingException m && !m.getPath().isEmpty()) {
            return PREFIX + "the value of " + Excerpt.of(pointer(m)) + " is not accepted here";
        }
        return PREFIX + "it does not have the shape this endpoint reads";
    }

    /** The JSON pointer (RFC 6901) of the value Jackson was reading, e.g. {@code /owners/0}. */
    public static String pointer(JsonMappingException e) {
        StringBuilder sb = new StringBuilder();
        for (JsonMappingException.Reference r : e.getPath()) {
            sb.append('/');
            if (r.getFieldName() != null) {
                sb.append(r.getFieldName().replace("~", "~0").replace("/", "~1"));
            } else if (r.getIndex() >= 0) {
                sb.append(r.getIndex());
            }
        }
        return sb.length() == 0 ? "/" : sb.toString();
    }

    /** A JSON type in words, for a Java target type. */
    public static String words(Class<?> type) {
        if (type == null) {
            return "a value of another type";
        }
        if (type == String.class || type == char.class || type == Character.class || CharSequence.class.isAssignableFrom(type)
                || type == URI.class) {
            return "a string";
        }
        if (type == boolean.class || type == Boolean.class) {
            return "true or false";
        }
        if (type == int.class || type == long.class || type == short.class || type == byte.class || type == Integer.class
                || type == Long.class || type == Short.class || type == Byte.class || type == BigInteger.class) {
            return "a whole number";
        }
        if (type == double.class || type == float.class || type == Double.class || type == Float.class
                || type == BigDecimal.class || Number.class.isAssignableFrom(type)) {
            return "a number";
        }
        if (type.isEnum()) {
            return "one of " + Arrays.stream(type.getEnumConstants()).map(String::valueOf).collect(Collectors.joining(", "));
        }
        if (type.isArray() || Collection.class.isAssignableFrom(type)) {
            return "an array";
        }
        if (Temporal.class.isAssignableFrom(type)) {
            return "a date and time as a string (ISO 8601, e.g. 2026-01-31T12:00:00Z)";
        }
        if (type == UUID.class) {
            return "a UUID as a string";
        }
        if (Map.class.isAssignableFrom(type)) {
            return "a JSON object";
        }
        return "a JSON object";
    }

    private static String at(JsonLocation location) {
        if (location == null || location.getLineNr() < 0) {
            return "";
        }
        return " (line " + location.getLineNr() + ", column " + location.getColumnNr() + ")";
    }
}
