package dev.kiln.support.text;

/**
 * A short, printable excerpt of client input, for error answers and logs: an answer never echoes more than
 * {@link #MAX} characters of what it was sent, and control characters (NUL, newlines, escapes) are shown as
 * {@code \u0000}-style escapes so they neither break a terminal nor hide in the text.
 */
public final class Excerpt {
    /** Characters of input an answer may quote. */
    public static final int MAX = 64;

    private Excerpt() {
    }

    /** {@code value} quoted in double quotes, cut to {@link #MAX} characters with its full length named when cut. */
    public static String of(String value) {
        if (value == null) {
            return "(none)";
        }
        StringBuilder out = new StringBuilder(MAX + 32).append('"');
        int shown = 0;
        for (int i = 0; i < value.length() && shown < MAX; i++, shown++) {
            char c = value.charAt(i);
            if (c < 0x20 || c == 0x7f || (c >= 0x80 && c < 0xa0) || c == '\u2028' || c == '\u2029') {
                out.append(String.format("\\u%04x", (int) c));
            } else if (c == '"' || c == '\\') {
                out.append('\\').append(c);
            } else {
                out.append(c);
            }
        }
        out.append('"');
        if (value.length() > MAX) {
            out.append("… (").append(value.length()).append(" characters)");
        }
        return out.toString();
    }
}
