package dev.kiln.containerbuild.preflight;

import dev.kiln.containerbuild.domain.BuildFailure;
import dev.kiln.events.Stage;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Refuses, before anything is built, the Dockerfile constructs that only BuildKit understands: Kiln builds with the
 * daemon's legacy builder (docker-java cannot speak BuildKit's session protocol), which would fail late with a parse
 * error or an "option requires BuildKit" message, or (for a {@code # syntax=} frontend) silently build with another
 * parser. Runs first, on the raw text, since a heredoc's body is not Dockerfile syntax.
 */
public final class LegacySyntaxPlugin implements PreflightPlugin {
    public static final String REASON = "buildkit-syntax-required";

    /** An instruction flag that only BuildKit takes, with what to write instead. */
    private record Flag(String instruction, String flag, String instead) {
    }

    private static final List<Flag> FLAGS = List.of(
            new Flag("RUN", "--mount", "copy what the step needs into the image or the build context instead of mounting it"),
            new Flag("RUN", "--network", "ask for host networking for the component instead (kiln.build.host-network-components)"),
            new Flag("RUN", "--security", "drop the flag: builds never run privileged"),
            new Flag("COPY", "--link", "drop the flag: the layer is the same without it"),
            new Flag("ADD", "--link", "drop the flag: the layer is the same without it"),
            new Flag("COPY", "--chmod", "set the mode in the build context (Kiln keeps it) or with a RUN chmod"),
            new Flag("ADD", "--chmod", "set the mode in the build context (Kiln keeps it) or with a RUN chmod"),
            new Flag("COPY", "--exclude", "list what to leave out in .dockerignore"),
            new Flag("ADD", "--exclude", "list what to leave out in .dockerignore"),
            new Flag("COPY", "--parents", "copy each directory with its own COPY"),
            new Flag("ADD", "--checksum", "put the file into the build context and ADD it from there"),
            new Flag("ADD", "--keep-git-dir", "use a git source for the build instead"));

    private static final Pattern DIRECTIVE = Pattern.compile("^#\\s*([a-zA-Z]+)\\s*=\\s*(.*)$");
    private static final Pattern HEREDOC = Pattern.compile("(?<!<)<<(?!<)-?\\s*[\"']?[A-Za-z_][A-Za-z0-9_]*[\"']?");

    @Override
    public String name() {
        return "legacy-syntax";
    }

    @Override
    public void run(PreflightContext c) throws BuildFailure {
        String[] lines = c.dockerfile().split("\r?\n", -1);
        char escape = '\\';
        int i = 0;
        // parser directives: only at the very top, before any other comment, blank line or instruction
        for (; i < lines.length; i++) {
            Matcher d = DIRECTIVE.matcher(lines[i].strip());
            if (!d.matches()) {
                break;
            }
            String key = d.group(1).toLowerCase(Locale.ROOT);
            if (key.equals("syntax")) {
                throw refuse(c, i + 1, "the '# syntax=" + d.group(2).strip() + "' directive, which picks a BuildKit"
                        + " frontend", "remove the line: Kiln builds with Docker's legacy builder, which would ignore it"
                        + " and parse the file its own way");
            }
            if (key.equals("escape") && !d.group(2).isBlank()) {
                escape = d.group(2).strip().charAt(0);
            }
        }
        boolean continued = false; // the previous instruction line ended with the escape character
        for (int n = i; n < lines.length; n++) {
            String trimmed = lines[n].strip();
            if (trimmed.isEmpty() || trimmed.startsWith("#")) {
                continue; // blank and comment lines neither start nor end an instruction
            }
            if (!continued) {
                check(c, n + 1, instructionText(lines, n, escape));
            }
            continued = trimmed.charAt(trimmed.length() - 1) == escape;
        }
        c.log("preflight " + name() + ": no BuildKit-only syntax (the daemon's legacy builder builds this Dockerfile)");
    }

    /** The instruction starting at line {@code start}, continuation lines joined (comment lines inside skipped). */
    private static String instructionText(String[] lines, int start, char escape) {
        StringBuilder sb = new StringBuilder();
        for (int n = start; n < lines.length; n++) {
            String t = lines[n].strip();
            if (n > start && t.startsWith("#")) {
                continue;
            }
            if (!t.isEmpty() && t.charAt(t.length() - 1) == escape) {
                sb.append(t, 0, t.length() - 1).append(' ');
            } else {
                sb.append(t);
                break;
            }
        }
        return sb.toString();
    }

    private static void check(PreflightContext c, int line, String instruction) throws BuildFailure {
        String[] words = instruction.split("\\s+", 2);
        String keyword = words[0].toUpperCase(Locale.ROOT);
        String args = words.length > 1 ? words[1] : "";
        if (keyword.equals("ONBUILD")) {
            check(c, line, args);
            return;
        }
        if (keyword.equals("RUN") || keyword.equals("COPY") || keyword.equals("ADD")) {
            Matcher heredoc = HEREDOC.matcher(args);
            if (!args.startsWith("[") && heredoc.find()) {
                throw refuse(c, line, "a heredoc (" + keyword + " " + heredoc.group() + ")", keyword.equals("RUN")
                        ? "put the script into the build context, COPY it and RUN it, or join the commands with &&"
                        : "put the file into the build context and " + keyword + " it from there");
            }
            for (String word : args.split("\\s+")) {
                if (!word.startsWith("--")) {
                    break;
                }
                String flag = word.contains("=") ? word.substring(0, word.indexOf('=')) : word;
                for (Flag f : FLAGS) {
                    if (f.instruction().equals(keyword) && f.flag().equalsIgnoreCase(flag)) {
                        throw refuse(c, line, keyword + " " + f.flag(), f.instead());
                    }
                }
            }
        }
    }

    private static BuildFailure refuse(PreflightContext c, int line, String construct, String instead) {
        return new BuildFailure(Stage.PREFLIGHT, REASON, "Line " + line + " of " + c.dockerfilePath() + " uses "
                + construct + ", which only BuildKit understands; Kiln builds with Docker's legacy builder, so "
                + instead + ", and submit again.", false);
    }
}
