package dev.kiln.support.text;

/**
 * A failure as a sentence for a maintainer: the message, never a Java class name (a failure without a message says
 * so in words).
 */
public final class Failures {
    private static final String NO_DETAILS = "no details given";

    private Failures() {
    }

    /** {@code failure}'s own message, else its first cause's that has one. */
    public static String message(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (hasOwnMessage(t)) {
                return t.getMessage().strip();
            }
        }
        return NO_DETAILS;
    }

    /** The message of the deepest cause that has one: what went wrong at the bottom (a refused connection, a 404). */
    public static String rootMessage(Throwable failure) {
        String found = null;
        for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (hasOwnMessage(t)) {
                found = t.getMessage().strip();
            }
        }
        return found == null ? NO_DETAILS : found;
    }

    /** A message of its own: not blank, and not the {@code ClassName: message} Java makes from a wrapped cause. */
    private static boolean hasOwnMessage(Throwable t) {
        String m = t.getMessage();
        return m != null && !m.isBlank() && (t.getCause() == null || !m.equals(t.getCause().toString()));
    }
}
