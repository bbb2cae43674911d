package dev.kiln.buildsubmission.domain;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads the {@code LABEL}s of the final stage of a Dockerfile the way {@code docker build} does: both the
 * {@code LABEL a=b c="d e"} form and the legacy {@code LABEL key value} form, single and double quotes, the escape
 * character (backslash, or the one an {@code # escape=} parser directive names), line continuations, comment lines
 * inside continuations. Variables ({@code $VAR}) are not substituted.
 */
public final class DockerfileLabels {
    private static final Pattern DIRECTIVE = Pattern.compile("^#\\s*([a-zA-Z][a-zA-Z0-9]*)\\s*=\\s*(\\S+)\\s*$");

    private DockerfileLabels() {
    }

    /** A Dockerfile whose LABEL instructions cannot be read. */
    public static class SyntaxException extends IllegalArgumentException {
        public SyntaxException(String message) {
            super(message);
        }
    }

    /** The labels set by the last stage of {@code dockerfile}; later LABELs override earlier ones. */
    public static Map<String, String> parse(String dockerfile) {
        List<String> lines = dockerfile.lines().toList();
        char escape = '\\';
        int first = 0;
        for (; first < lines.size(); first++) {
            Matcher m = DIRECTIVE.matcher(lines.get(first).strip());
            if (!m.matches()) {
                break;
            }
            if (m.group(1).equalsIgnoreCase("escape")) {
                String v = m.group(2);
                if (!v.equals("\\") && !v.equals("`")) {
                    throw new SyntaxException("invalid escape directive '" + v + "': it must be \\ or `");
                }
                escape = v.charAt(0);
            }
        }
        Map<String, String> labels = new LinkedHashMap<>();
        for (String line : logicalLines(lines.subList(first, lines.size()), escape)) {
            String trimmed = line.strip();
            if (trimmed.isEmpty() || trimmed.startsWith("#")) {
                continue;
            }
            int ws = indexOfWhitespace(trimmed);
            String instruction = (ws < 0 ? trimmed : trimmed.substring(0, ws)).toUpperCase(Locale.ROOT);
            String args = ws < 0 ? "" : trimmed.substring(ws).strip();
            if (instruction.equals("FROM")) {
                labels = new LinkedHashMap<>();
            } else if (instruction.equals("LABEL")) {
                parseLabelArgs(args, escape, labels);
            }
        }
        return Collections.unmodifiableMap(labels);
    }

    /** Joins continued lines; comment and empty lines inside a continuation are dropped. */
    static List<String> logicalLines(List<String> lines, char escape) {
        List<String> out = new ArrayList<>();
        StringBuilder current = null;
        for (String raw : lines) {
            String stripped = raw.strip();
            if (current != null && (stripped.isEmpty() || stripped.startsWith("#"))) {
                continue;
            }
            if (current == null && stripped.startsWith("#")) {
                continue;
            }
            String body = stripTrailing(raw);
            boolean continues = !body.isEmpty() && body.charAt(body.length() - 1) == escape;
            if (continues) {
                body = body.substring(0, body.length() - 1);
            }
            if (current == null) {
                current = new StringBuilder(body);
            } else {
                current.append(body);
            }
            if (!continues) {
                out.add(current.toString());
                current = null;
            }
        }
        if (current != null) {
            out.add(current.toString());
        }
        return out;
    }

    private static void parseLabelArgs(String args, char escape, Map<String, String> labels) {
        if (args.isEmpty()) {
            throw new SyntaxException("LABEL needs at least one key=value pair");
        }
        List<String> words = splitWords(args, escape);
        if (!words.get(0).contains("=")) {
            // legacy form: LABEL key the rest of the line
            int ws = indexOfWhitespace(args);
            if (ws < 0) {
                throw new SyntaxException("LABEL " + args + " has no value: write LABEL " + args + "=<value>");
            }
            String key = unquote(args.substring(0, ws), escape);
            String value = args.substring(ws).strip();
            if (value.length() >= 2 && (value.charAt(0) == '"' || value.charAt(0) == '\'')
                    && value.charAt(value.length() - 1) == value.charAt(0)) {
                value = unquote(value, escape);
            }
            put(labels, key, value);
            return;
        }
        for (String word : words) {
            int eq = word.indexOf('=');
            if (eq < 0) {
                throw new SyntaxException("LABEL " + word + " is not of the form key=value");
            }
            put(labels, unquote(word.substring(0, eq), escape), unquote(word.substring(eq + 1), escape));
        }
    }

    private static void put(Map<String, String> labels, String key, String value) {
        if (key.isBlank()) {
            throw new SyntaxException("LABEL names must not be blank");
        }
        labels.put(key, value);
    }

    /** Splits on whitespace outside quotes; quotes and escapes stay in the words. */
    static List<String> splitWords(String s, char escape) {
        List<String> words = new ArrayList<>();
        StringBuilder w = new StringBuilder();
        char quote = 0;
        boolean inWord = false;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (quote == 0 && Character.isWhitespace(c)) {
                if (inWord) {
                    words.add(w.toString());
                    w.setLength(0);
                    inWord = false;
                }
                continue;
            }
            inWord = true;
            w.append(c);
            if (c == escape && quote != '\'' && i + 1 < s.length()) {
                w.append(s.charAt(++i));
            } else if (quote == 0 && (c == '"' || c == '\'')) {
                quote = c;
            } else if (c == quote) {
                quote = 0;
            }
        }
        if (quote != 0) {
            throw new SyntaxException("unterminated quote in LABEL " + s);
        }
        if (inWord) {
            words.add(w.toString());
        }
        return words;
    }

    /** Removes quotes and escapes like the shell-word processing of docker build. */
    static String unquote(String s, char escape) {
        StringBuilder out = new StringBuilder();
        char quote = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (quote == '\'') {
                if (c == '\'') {
                    quote = 0;
                } else {
                    out.append(c);
                }
            } else if (quote == '"') {
                if (c == '"') {
                    quote = 0;
                } else if (c == escape && i + 1 < s.length()
                        && "\"$`".indexOf(s.charAt(i + 1)) >= 0 || c == escape && i + 1 < s.length() && s.charAt(i + 1) == escape) {
                    out.append(s.charAt(++i));
                } else {
                    out.append(c);
                }
            } else if (c == '"' || c == '\'') {
                quote = c;
            } else if (c == escape && i + 1 < s.length()) {
                out.append(s.charAt(++i));
            } else {
                out.append(c);
            }
        }
        if (quote != 0) {
            throw new SyntaxException("unterminated quote in " + s);
        }
        return out.toString();
    }

    private static int indexOfWhitespace(String s) {
        for (int i = 0; i < s.length(); i++) {
            if (Character.isWhitespace(s.charAt(i))) {
                return i;
            }
        }
        return -1;
    }

    private static String stripTrailing(String s) {
        return s.stripTrailing();
    }
}
