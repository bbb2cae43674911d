package dev.kiln.containerbuild.service;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Reads a Dockerfile the way the legacy builder does, as far as preflight needs it: logical instructions
 * (continuation lines joined, comment lines dropped, also inside a continuation), the stages ({@code FROM image
 * [AS name]}, {@code --platform} flags kept aside), {@code ARG}s declared before the first {@code FROM} substituted
 * into the {@code FROM} lines with their defaults ({@code $X}, {@code ${X}}, {@code ${X:-word}}, {@code ${X:+word}};
 * Kiln passes no {@code --build-arg}), and each stage's {@code LABEL}s (both forms, quotes, escapes). A {@code FROM}
 * that names an earlier stage resolves to that stage's image; the parent image is the image the last stage resolves
 * to. {@link #rewriteFroms} replaces {@code FROM} images (pinning) keeping every other line and the line numbers.
 */
public final class DockerfileParser {

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
        List<Instruction> instructions = instructions(dockerfile);
        Map<String, String> globalArgs = new LinkedHashMap<>();
        List<Stage> stages = new ArrayList<>();
        List<From> froms = new ArrayList<>();
        Map<String, Stage> byName = new HashMap<>();
        Stage current = null;
        List<Instruction> body = null;
        Map<String, String> labels = null;
        for (Instruction in : instructions) {
            switch (in.keyword()) {
                case "FROM" -> {
                    if (current != null) {
                        stages.add(finish(current, body, labels, byName));
                    }
                    List<String> words = List.of(in.args().trim().split("\\s+"));
                    List<String> flags = new ArrayList<>();
                    List<String> args = new ArrayList<>();
                    for (String w : words) {
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
                                + " must read FROM <image> [AS <name>], not FROM " + in.args());
                    }
                    String image = substitute(args.get(0), globalArgs, in.firstLine());
                    if (image.isBlank()) {
                        throw new InvalidDockerfileException("FROM at line " + in.firstLine() + " ("
                                + args.get(0) + ") is empty after ARG substitution; give the ARG a default, since Kiln"
                                + " passes no --build-arg.");
                    }
                    String name = args.size() == 3 ? args.get(2).toLowerCase(Locale.ROOT) : null;
                    Stage earlier = byName.get(image.toLowerCase(Locale.ROOT));
                    String base = earlier != null ? earlier.baseImage() : image;
                    labels = earlier != null ? new LinkedHashMap<>(earlier.labels()) : new LinkedHashMap<>();
                    body = new ArrayList<>();
                    current = new Stage(stages.size(), in, List.copyOf(flags), image, name, earlier != null, base, Map.of(),
                            List.of());
                    froms.add(new From(image, name));
                }
                case "ARG" -> {
                    if (current == null) {
                        globalArg(in, globalArgs);
                    } else {
                        body.add(in);
                    }
                }
                case "LABEL" -> {
                    if (current == null) {
                        throw new InvalidDockerfileException("LABEL at line " + in.firstLine()
                                + " comes before the first FROM; only ARG may come before FROM.");
                    }
                    parseLabels(in, labels);
                    body.add(in);
                }
                default -> {
                    if (current == null) {
                        throw new InvalidDockerfileException(in.keyword() + " at line " + in.firstLine()
                                + " comes before the first FROM; only ARG may come before FROM.");
                    }
                    body.add(in);
                }
            }
        }
        if (current != null) {
            stages.add(finish(current, body, labels, byName));
        }
        String parent = stages.isEmpty() ? null : stages.get(stages.size() - 1).baseImage();
        return new Result(List.copyOf(froms), parent, List.copyOf(stages), Collections.unmodifiableMap(globalArgs),
                List.copyOf(instructions));
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
        String[] lines = dockerfile.split("\\r?\\n", -1);
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

    /** The registry host of a reference ({@code localhost:5000/base/busybox:latest} → {@code localhost:5000}). */
    public static Optional<String> registryHost(String reference) {
        int slash = reference.indexOf('/');
        if (slash <= 0) {
            return Optional.empty();
        }
        String first = reference.substring(0, slash);
        if (first.contains(".") || first.contains(":") || first.equals("localhost")) {
            return Optional.of(first);
        }
        return Optional.empty();
    }

    /** Logical instructions: continuation lines joined, comments and blank lines dropped. */
    static List<Instruction> instructions(String dockerfile) {
        List<Instruction> result = new ArrayList<>();
        StringBuilder current = new StringBuilder();
        int first = -1;
        String[] lines = dockerfile.split("\\r?\\n", -1);
        for (int i = 0; i < lines.length; i++) {
            String line = lines[i].strip();
            if (line.startsWith("#") || line.isEmpty()) {
                continue; // comments and empty lines do not end a continued instruction either
            }
            if (first < 0) {
                first = i + 1;
            }
            boolean continued = line.endsWith("\\");
            if (continued) {
                line = line.substring(0, line.length() - 1);
            }
            current.append(line).append(' ');
            if (!continued) {
                result.add(instruction(current.toString().trim(), first, i + 1));
                current.setLength(0);
                first = -1;
            }
        }
        if (current.length() > 0) {
            result.add(instruction(current.toString().trim(), first, lines.length));
        }
        return result;
    }

    private static Instruction instruction(String text, int first, int last) {
        int ws = indexOfWhitespace(text);
        String keyword = (ws < 0 ? text : text.substring(0, ws)).toUpperCase(Locale.ROOT);
        String args = ws < 0 ? "" : text.substring(ws).strip();
        return new Instruction(keyword, args, first, last);
    }

    private static void globalArg(Instruction in, Map<String, String> globalArgs) {
        for (String word : splitWords(in.args(), in.firstLine())) {
            int eq = word.indexOf('=');
            String name = eq < 0 ? word : word.substring(0, eq);
            if (!name.matches("[A-Za-z_][A-Za-z0-9_]*")) {
                throw new InvalidDockerfileException("ARG at line " + in.firstLine() + " declares an invalid name: " + name);
            }
            String value = eq < 0 ? null : substitute(unquote(word.substring(eq + 1), in.firstLine()), globalArgs,
                    in.firstLine());
            globalArgs.put(name, value);
        }
    }

    /** Substitutes {@code $X}, {@code ${X}}, {@code ${X:-word}} and {@code ${X:+word}}; {@code \$} is a literal $. */
    static String substitute(String s, Map<String, String> vars, int line) {
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\\' && i + 1 < s.length() && s.charAt(i + 1) == '$') {
                out.append('$');
                i++;
            } else if (c == '$' && i + 1 < s.length() && s.charAt(i + 1) == '{') {
                int end = s.indexOf('}', i);
                if (end < 0) {
                    throw new InvalidDockerfileException("line " + line + ": unterminated ${ in " + s);
                }
                String expr = s.substring(i + 2, end);
                int op = expr.indexOf(':');
                String name = op < 0 ? expr : expr.substring(0, op);
                String value = vars.get(name);
                if (op >= 0 && op + 1 < expr.length() && expr.charAt(op + 1) == '-') {
                    out.append(value == null || value.isEmpty() ? expr.substring(op + 2) : value);
                } else if (op >= 0 && op + 1 < expr.length() && expr.charAt(op + 1) == '+') {
                    out.append(value == null || value.isEmpty() ? "" : expr.substring(op + 2));
                } else if (op >= 0) {
                    throw new InvalidDockerfileException("line " + line + ": unsupported substitution ${" + expr + "}");
                } else {
                    out.append(value == null ? "" : value);
                }
                i = end;
            } else if (c == '$' && i + 1 < s.length() && (Character.isLetter(s.charAt(i + 1)) || s.charAt(i + 1) == '_')) {
                int end = i + 1;
                while (end < s.length() && (Character.isLetterOrDigit(s.charAt(end)) || s.charAt(end) == '_')) {
                    end++;
                }
                String value = vars.get(s.substring(i + 1, end));
                out.append(value == null ? "" : value);
                i = end - 1;
            } else {
                out.append(c);
            }
        }
        return out.toString();
    }

    // ---- LABEL (as build-submission reads it) -------------------------------------------------------------------

    private static void parseLabels(Instruction in, Map<String, String> labels) {
        String args = in.args();
        if (args.isEmpty()) {
            throw new InvalidDockerfileException("LABEL at line " + in.firstLine() + " needs at least one key=value pair.");
        }
        List<String> words = splitWords(args, in.firstLine());
        if (!words.get(0).contains("=")) { // legacy form: LABEL key the rest of the line
            int ws = indexOfWhitespace(args);
            if (ws < 0) {
                throw new InvalidDockerfileException("LABEL " + args + " at line " + in.firstLine()
                        + " has no value: write LABEL " + args + "=<value>.");
            }
            String value = args.substring(ws).strip();
            if (value.length() >= 2 && (value.charAt(0) == '"' || value.charAt(0) == '\'')
                    && value.charAt(value.length() - 1) == value.charAt(0)) {
                value = unquote(value, in.firstLine());
            }
            labels.put(unquote(args.substring(0, ws), in.firstLine()), value);
            return;
        }
        for (String word : words) {
            int eq = word.indexOf('=');
            if (eq <= 0) {
                throw new InvalidDockerfileException("LABEL " + word + " at line " + in.firstLine()
                        + " is not of the form key=value.");
            }
            labels.put(unquote(word.substring(0, eq), in.firstLine()), unquote(word.substring(eq + 1), in.firstLine()));
        }
    }

    /** Splits on whitespace outside quotes; quotes and escapes stay in the words. */
    static List<String> splitWords(String s, int line) {
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
            if (c == '\\' && quote != '\'' && i + 1 < s.length()) {
                w.append(s.charAt(++i));
            } else if (quote == 0 && (c == '"' || c == '\'')) {
                quote = c;
            } else if (c == quote) {
                quote = 0;
            }
        }
        if (quote != 0) {
            throw new InvalidDockerfileException("line " + line + " has an unterminated quote: " + s);
        }
        if (inWord) {
            words.add(w.toString());
        }
        return words;
    }

    /** Removes quotes and escapes like the shell-word processing of docker build. */
    static String unquote(String s, int line) {
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
                } else if (c == '\\' && i + 1 < s.length() && "\"$`\\".indexOf(s.charAt(i + 1)) >= 0) {
                    out.append(s.charAt(++i));
                } else {
                    out.append(c);
                }
            } else if (c == '"' || c == '\'') {
                quote = c;
            } else if (c == '\\' && i + 1 < s.length()) {
                out.append(s.charAt(++i));
            } else {
                out.append(c);
            }
        }
        if (quote != 0) {
            throw new InvalidDockerfileException("line " + line + " has an unterminated quote: " + s);
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
}
