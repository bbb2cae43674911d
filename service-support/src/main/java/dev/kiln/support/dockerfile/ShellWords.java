package dev.kiln.support.dockerfile;

import dev.kiln.support.dockerfile.DockerfileParser.InvalidDockerfileException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The word processing of {@code docker build} with one Dockerfile's escape character (backslash, or the backtick an
 * {@code # escape=`} parser directive chooses): splitting arguments into words outside quotes, as Docker does for
 * {@code key=value} lists, and expanding a word, as its shell lexer does: quotes removed, escapes applied and
 * {@code $X}, {@code ${X}}, {@code ${X:-word}}, {@code ${X:+word}} substituted. The expansion is one pass, so an
 * escaped or single-quoted {@code $} stays a literal {@code $}.
 */
final class ShellWords {
    private final char escape;

    ShellWords(char escape) {
        this.escape = escape;
    }

    /** Splits on whitespace outside quotes; quotes and escapes stay in the words. */
    List<String> split(String s, int line) {
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
            throw unclosedQuote(quote, s, line);
        }
        if (inWord) {
            words.add(w.toString());
        }
        return words;
    }

    /** The word with quotes removed and escapes applied; a {@code $} stays as written. */
    String unquote(String word, int line) {
        return expand(word, null, line);
    }

    /**
     * The word with quotes removed, escapes applied and variables substituted from {@code vars} (an unset or
     * valueless one is empty); with {@code vars} null, {@code $} is an ordinary character.
     */
    String expand(String s, Map<String, String> vars, int line) {
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
            } else if (c == escape) {
                if (i + 1 == s.length()) {
                    continue; // an escape at the end of a word is dropped
                }
                char next = s.charAt(i + 1);
                if (quote == '"' && next != '"' && next != '$' && next != escape) {
                    out.append(c); // inside double quotes only ", $ and the escape itself can be escaped
                } else {
                    out.append(next);
                    i++;
                }
            } else if (quote == 0 && (c == '"' || c == '\'')) {
                quote = c;
            } else if (quote == '"' && c == '"') {
                quote = 0;
            } else if (c == '$' && vars != null) {
                i = dollar(s, i, vars, out, line);
            } else {
                out.append(c);
            }
        }
        if (quote != 0) {
            throw unclosedQuote(quote, s, line);
        }
        return out.toString();
    }

    /** Appends the value of the variable reference at {@code s[i]} (a {@code $}); returns the last index it used. */
    private int dollar(String s, int i, Map<String, String> vars, StringBuilder out, int line) {
        if (i + 1 < s.length() && s.charAt(i + 1) == '{') {
            int end = s.indexOf('}', i);
            if (end < 0) {
                throw new InvalidDockerfileException("line " + line + " opens ${ without closing it (in " + s + ").");
            }
            String expr = s.substring(i + 2, end);
            int colon = expr.indexOf(':');
            String value = vars.get(colon < 0 ? expr : expr.substring(0, colon));
            boolean set = value != null && !value.isEmpty();
            char op = colon >= 0 && colon + 1 < expr.length() ? expr.charAt(colon + 1) : 0;
            if (colon < 0) {
                out.append(value == null ? "" : value);
            } else if (op == '-') {
                out.append(set ? value : expand(expr.substring(colon + 2), vars, line));
            } else if (op == '+') {
                out.append(set ? expand(expr.substring(colon + 2), vars, line) : "");
            } else {
                throw new InvalidDockerfileException("line " + line + " uses ${" + expr
                        + "}, which Kiln does not support; use ${X}, ${X:-default} or ${X:+alternative}.");
            }
            return end;
        }
        int end = i + 1;
        if (end < s.length() && (Character.isLetter(s.charAt(end)) || s.charAt(end) == '_')) {
            while (end < s.length() && (Character.isLetterOrDigit(s.charAt(end)) || s.charAt(end) == '_')) {
                end++;
            }
            String value = vars.get(s.substring(i + 1, end));
            out.append(value == null ? "" : value);
            return end - 1;
        }
        out.append('$');
        return i;
    }

    private static InvalidDockerfileException unclosedQuote(char quote, String s, int line) {
        return new InvalidDockerfileException("line " + line + " opens a " + quote + " quote without closing it (in "
                + s + ").");
    }
}
