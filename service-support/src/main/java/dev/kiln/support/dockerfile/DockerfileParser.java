package dev.kiln.support.dockerfile;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads a Dockerfile the way {@code docker build} does, as far as Kiln needs it: the hub reads the final stage's
 * labels to reserve the NVR, container-build's preflight reads the stages and parent images, and both must read the
 * same file the same way. It knows the parser directives ({@code # escape=} chooses backslash or backtick as the
 * escape character, {@code # syntax=} and {@code # check=} are ignored), logical instructions (continuation lines
 * joined as Docker joins them, comment and empty lines dropped, also inside a continuation), the stages
 * ({@code FROM image [AS name]}, {@code --platform} flags kept aside), {@code ARG}s declared before the first
 * {@code FROM} substituted into the {@code FROM} lines with their defaults ({@code $X}, {@code ${X}},
 * {@code ${X:-word}}, {@code ${X:+word}}; Kiln passes no {@code --build-arg}), and each stage's {@code LABEL}s (both
 * forms, quotes, escapes; variables in labels are not substituted). A stage built {@code FROM} an earlier stage
 * starts with that stage's labels, as in Docker; one built from an image starts with none, since that image's labels
 * are unknown here. The parent image is the image the last stage resolves to. {@link #rewriteFroms} replaces
 * {@code FROM} images (pinning) keeping every other line and the line numbers.
 *
 * <p>Longer than the house's 300 lines on purpose: one reader of Docker's grammar, so that the hub and preflight
 * cannot read a file differently.
 */
public final class DockerfileParser {
    /** A parser directive: {@code # name=value} in the leading comment block (Docker's regular expression). */
    private static final Pattern DIRECTIVE = Pattern.compile("#\\s*([a-zA-Z][a-zA-Z0-9]*)\\s*=\\s*(.+?)\\s*");
    /** The directives Docker knows; any other {@code # x=y} is a comment and ends the directive block. */
    private static final Set<String> DIRECTIVES = Set.of("escape", "syntax", "check");

    /** A Dockerfile that cannot be read; the message is a sentence about the line. */
    public static class InvalidDockerfileException extends IllegalArgumentException {
        public InvalidDockerfileException(String message) {
            super(message);
        }
    }

    /** One logical instruction: keyword in upper case, its arguments, the physical lines it spans (1-based). */
    public record Instruction(String keyword, String args, int firstLine, int lastLine) {
    }

    /** One {@code FROM}: its image (ARGs substituted) and its stage name ({@code AS name}), or null. */
    public record From(String image, String stageName) {
    }

    /**
     * One build stage. {@code image} is the FROM image with ARGs substituted; {@code fromStage} tells that it names
     * an earlier stage; {@code baseImage} is the image it finally starts from (through earlier stages); {@code labels}
     * are its own LABELs plus those of the stage it starts from.
     */
    public record Stage(int index, Instruction from, List<String> flags, String image, String stageName, boolean fromStage,
            String baseImage, Map<String, String> labels, List<Instruction> body) {
        public boolean isScratch() {
            return !fromStage && "scratch".equalsIgnoreCase(image);
        }
    }

    /** The parsed Dockerfile; {@code parentImage} is null when it has no FROM. */
    public record Result(List<From> froms, String parentImage, List<Stage> stages, Map<String, String> globalArgs,
            List<Instruction> instructions) {
        public boolean isScratchParent() {
            return "scratch".equalsIgnoreCase(parentImage);
        }

        /** The labels the final stage sets (inherited through earlier stages, not from the parent image). */
        public Map<String, String> labels() {
            return stages.isEmpty() ? Map.of() : stages.get(stages.size() - 1).labels();
        }
    }

    private DockerfileParser() {
    }

    public static Result parse(String dockerfile) {
        String[] lines = lines(dockerfile);
        char escape = escapeDirective(lines);
        ShellWords words = new ShellWords(escape);
        List<Instruction> instructions = instructions(lines, escape);
        Map<String, String> globalArgs = new LinkedHashMap<>();
        List<Stage> stages = new ArrayList<>();
        List<From> froms = new ArrayList<>();
        Map<String, Stage> byName = new HashMap<>();
        Stage current = null;
        List<Instruction> body = null;
        Map<String, String> labels = null;
        for (Instruction in : instructions) {
            if (in.keyword().equals("FROM")) {
                if (current != null) {
                    stages.add(finish(current, body, labels, byName));
                }
                current = stage(in, stages.size(), globalArgs, byName, words);
                labels = new LinkedHashMap<>(current.labels());
                body = new ArrayList<>();
                froms.add(new From(current.image(), current.stageName()));
            } else if (current == null && in.keyword().equals("ARG")) {
                globalArg(in, globalArgs, words);
            } else if (current == null) {
                throw new InvalidDockerfileException(in.keyword() + " at line " + in.firstLine()
                        + " comes before the first FROM; only ARG may come before FROM.");
            } else {
                if (in.keyword().equals("LABEL")) {
                    parseLabels(in, labels, words);
                }
                body.add(in);
            }
        }
        if (current != null) {
            stages.add(finish(current, body, labels, byName));
        }
        String parent = stages.isEmpty() ? null : stages.get(stages.size() - 1).baseImage();
        return new Result(List.copyOf(froms), parent, List.copyOf(stages), Collections.unmodifiableMap(globalArgs),
                List.copyOf(instructions));
    }

    /** The stage a FROM starts, with no body yet and the labels of the earlier stage it names (if it names one). */
    private static Stage stage(Instruction in, int index, Map<String, String> globalArgs, Map<String, Stage> byName,
            ShellWords words) {
        List<String> flags = new ArrayList<>();
        List<String> args = new ArrayList<>();
        for (String w : in.args().split("\\s+")) {
            if (w.startsWith("--")) {
                flags.add(w);
            } else if (!w.isEmpty()) {
                args.add(w);
            }
        }
        if (args.isEmpty()) {
            throw new InvalidDockerfileException("FROM at line " + in.firstLine() + " names no image.");
        }
        if (args.size() != 1 && !(args.size() == 3 && args.get(1).equalsIgnoreCase("AS"))) {
            throw new InvalidDockerfileException("FROM at line " + in.firstLine()
                    + " must read FROM <image> [AS <name>], not FROM " + in.args() + ".");
        }
        String image = words.expand(args.get(0), globalArgs, in.firstLine());
        if (image.isBlank()) {
            throw new InvalidDockerfileException("FROM at line " + in.firstLine() + " (" + args.get(0)
                    + ") is empty after ARG substitution; give the ARG a default, since Kiln passes no --build-arg.");
        }
        String name = args.size() == 3 ? args.get(2).toLowerCase(Locale.ROOT) : null;
        Stage earlier = byName.get(image.toLowerCase(Locale.ROOT));
        return new Stage(index, in, List.copyOf(flags), image, name, earlier != null,
                earlier != null ? earlier.baseImage() : image, earlier != null ? earlier.labels() : Map.of(), List.of());
    }

    private static Stage finish(Stage s, List<Instruction> body, Map<String, String> labels, Map<String, Stage> byName) {
        Stage done = new Stage(s.index(), s.from(), s.flags(), s.image(), s.stageName(), s.fromStage(), s.baseImage(),
                Collections.unmodifiableMap(labels), List.copyOf(body));
        if (done.stageName() != null) {
            byName.put(done.stageName(), done);
        }
        return done;
    }

    /**
     * The Dockerfile with the image of some stages replaced (stage index → new image); flags and stage names stay, a
     * FROM spread over several lines becomes one line followed by empty lines, so all line numbers stay the same.
     */
    public static String rewriteFroms(String dockerfile, Result parsed, Map<Integer, String> images) {
        String[] lines = lines(dockerfile);
        for (Stage s : parsed.stages()) {
            String image = images.get(s.index());
            if (image == null) {
                continue;
            }
            StringBuilder from = new StringBuilder("FROM ");
            for (String f : s.flags()) {
                from.append(f).append(' ');
            }
            from.append(image);
            if (s.stageName() != null) {
                from.append(" AS ").append(s.stageName());
            }
            Instruction in = s.from();
            lines[in.firstLine() - 1] = from.toString();
            for (int l = in.firstLine() + 1; l <= in.lastLine(); l++) {
                lines[l - 1] = "";
            }
        }
        return String.join("\n", lines);
    }

    /** The physical lines, without a leading byte order mark (Docker ignores it). */
    private static String[] lines(String dockerfile) {
        String text = dockerfile.startsWith("\uFEFF") ? dockerfile.substring(1) : dockerfile;
        return text.split("\\r?\\n", -1);
    }

    /**
     * The escape character the parser directives choose ({@code \} by default). Directives are read only from the
     * leading lines that are directives: the first line that is not (an instruction, an empty line, a comment or an
     * unknown directive) ends them, and a later {@code # escape=} is an ordinary comment, as in Docker.
     */
    static char escapeDirective(String[] lines) {
        char escape = '\\';
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < lines.length; i++) {
            Matcher m = DIRECTIVE.matcher(lines[i].strip());
            String name = m.matches() ? m.group(1).toLowerCase(Locale.ROOT) : null;
            if (name == null || !DIRECTIVES.contains(name)) {
                break;
            }
            if (!seen.add(name)) {
                throw new InvalidDockerfileException("line " + (i + 1) + " repeats the " + name
                        + " parser directive; give it only once.");
            }
            if (name.equals("escape")) {
                String value = m.group(2);
                if (!value.equals("\\") && !value.equals("`")) {
                    throw new InvalidDockerfileException("the escape parser directive at line " + (i + 1) + " sets "
                            + value + "; it must be \\ (the default) or ` (backtick).");
                }
                escape = value.charAt(0);
            }
        }
        return escape;
    }

    /**
     * Logical instructions as Docker's parser builds them: a line ending with the escape character (trailing blanks
     * allowed) continues on the next line, the continuation is appended as it is (no blank added, its indentation
     * kept), comment and empty lines inside a continuation are skipped, and comments and empty lines between
     * instructions are dropped.
     */
    static List<Instruction> instructions(String[] lines, char escape) {
        List<Instruction> result = new ArrayList<>();
        int i = 0;
        while (i < lines.length) {
            String line = lines[i++].stripLeading();
            int first = i;
            if (line.startsWith("#")) {
                continue;
            }
            String body = withoutContinuation(line, escape);
            boolean continues = body != null;
            StringBuilder text = new StringBuilder(continues ? body : line);
            int last = i;
            while (continues && i < lines.length) {
                String next = lines[i++];
                String lead = next.stripLeading();
                if (lead.isEmpty() || lead.startsWith("#")) {
                    continue;
                }
                body = withoutContinuation(next, escape);
                continues = body != null;
                text.append(continues ? body : next);
                last = i;
            }
            if (!text.toString().isBlank()) {
                result.add(instruction(text.toString(), first, last));
            }
        }
        return result;
    }

    /** The line without its trailing escape character (and blanks after it), or null when it does not continue. */
    private static String withoutContinuation(String line, char escape) {
        int end = line.length();
        while (end > 0 && (line.charAt(end - 1) == ' ' || line.charAt(end - 1) == '\t')) {
            end--;
        }
        return end > 0 && line.charAt(end - 1) == escape ? line.substring(0, end - 1) : null;
    }

    private static Instruction instruction(String text, int first, int last) {
        String stripped = text.strip();
        int ws = indexOfWhitespace(stripped);
        String keyword = (ws < 0 ? stripped : stripped.substring(0, ws)).toUpperCase(Locale.ROOT);
        String args = ws < 0 ? "" : stripped.substring(ws).strip();
        return new Instruction(keyword, args, first, last);
    }

    private static void globalArg(Instruction in, Map<String, String> globalArgs, ShellWords words) {
        for (String word : words.split(in.args(), in.firstLine())) {
            int eq = word.indexOf('=');
            String name = eq < 0 ? word : word.substring(0, eq);
            if (!name.matches("[A-Za-z_][A-Za-z0-9_]*")) {
                throw new InvalidDockerfileException("ARG at line " + in.firstLine() + " declares an invalid name, "
                        + name + "; a name is letters, digits and _.");
            }
            String value = eq < 0 ? null : words.expand(word.substring(eq + 1), globalArgs, in.firstLine());
            globalArgs.put(name, value);
        }
    }

    /** {@code LABEL k=v ...} or the legacy {@code LABEL key the rest of the line}, into {@code labels}. */
    private static void parseLabels(Instruction in, Map<String, String> labels, ShellWords words) {
        String args = in.args();
        int line = in.firstLine();
        if (args.isEmpty()) {
            throw new InvalidDockerfileException("LABEL at line " + line + " needs at least one key=value pair.");
        }
        List<String> split = words.split(args, line);
        if (!split.get(0).contains("=")) {
            int ws = indexOfWhitespace(args);
            if (ws < 0) {
                throw new InvalidDockerfileException("LABEL " + args + " at line " + line + " has no value: write LABEL "
                        + args + "=<value>.");
            }
            putLabel(labels, words.unquote(args.substring(0, ws), line), words.unquote(args.substring(ws).strip(), line),
                    line);
            return;
        }
        for (String word : split) {
            int eq = word.indexOf('=');
            if (eq < 0) {
                throw new InvalidDockerfileException("LABEL " + word + " at line " + line
                        + " is not of the form key=value.");
            }
            putLabel(labels, words.unquote(word.substring(0, eq), line), words.unquote(word.substring(eq + 1), line),
                    line);
        }
    }

    private static void putLabel(Map<String, String> labels, String key, String value, int line) {
        if (key.isBlank()) {
            throw new InvalidDockerfileException("LABEL at line " + line + " sets a label without a name; write "
                    + "LABEL <name>=<value>.");
        }
        labels.put(key, value);
    }

    private static int indexOfWhitespace(String s) {
        for (int i = 0; i < s.length(); i++) {
            if (Character.isWhitespace(s.charAt(i))) {
                return i;
            }
        }
        return -1;
    }
}
