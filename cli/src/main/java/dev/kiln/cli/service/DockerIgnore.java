package dev.kiln.cli.service;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * The rules of a {@code .dockerignore} file, as the Docker CLI reads them (moby's patternmatcher, simplified):
 * <ul>
 *   <li>one pattern a line; blank lines and lines starting with {@code #} are skipped; whitespace is trimmed;</li>
 *   <li>paths are relative to the context root, {@code /} separated; a leading {@code /} or {@code ./} is ignored;</li>
 *   <li>{@code *} matches any run of characters except {@code /}, {@code ?} one character except {@code /},
 *       {@code **} any number of directories (also none), {@code [...]} a character class,
 *       {@code \} escapes the next character;</li>
 *   <li>a pattern that matches a directory excludes everything under it;</li>
 *   <li>a pattern starting with {@code !} re-includes what it matches; the last matching line wins.</li>
 * </ul>
 */
public final class DockerIgnore {

    public static final String FILE_NAME = ".dockerignore";

    private record Rule(String pattern, Pattern regex, boolean exclusion) {
    }

    private final List<Rule> rules;
    private final boolean hasExceptions;

    private DockerIgnore(List<Rule> rules) {
        this.rules = List.copyOf(rules);
        this.hasExceptions = rules.stream().anyMatch(r -> !r.exclusion());
    }

    /** No rules: nothing is excluded. */
    public static DockerIgnore none() {
        return new DockerIgnore(List.of());
    }

    /** The rules of {@code contextDir/.dockerignore}, or none when there is no such file. */
    public static DockerIgnore load(Path contextDir) throws IOException {
        Path file = contextDir.resolve(FILE_NAME);
        if (!Files.isRegularFile(file)) {
            return none();
        }
        return parse(Files.readAllLines(file, StandardCharsets.UTF_8));
    }

    public static DockerIgnore parse(List<String> lines) {
        List<Rule> rules = new ArrayList<>();
        for (String raw : lines) {
            String line = raw.strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            boolean exclusion = true;
            if (line.startsWith("!")) {
                exclusion = false;
                line = line.substring(1).strip();
            }
            String pattern = clean(line);
            if (pattern.isEmpty()) {
                continue;
            }
            rules.add(new Rule(pattern, Pattern.compile(toRegex(pattern)), exclusion));
        }
        return new DockerIgnore(rules);
    }

    /** True when any rule starts with {@code !}: then an excluded directory may still hold included files. */
    public boolean hasExceptions() {
        return hasExceptions;
    }

    public boolean isEmpty() {
        return rules.isEmpty();
    }

    /**
     * Whether {@code relativePath} (slash separated, relative to the context root) is left out of the context.
     */
    public boolean isExcluded(String relativePath) {
        String path = clean(relativePath);
        if (path.isEmpty()) {
            return false;
        }
        String[] parts = path.split("/");
        boolean excluded = false;
        for (Rule rule : rules) {
            if (matchesOrParentMatches(rule, path, parts)) {
                excluded = rule.exclusion();
            }
        }
        return excluded;
    }

    private static boolean matchesOrParentMatches(Rule rule, String path, String[] parts) {
        if (rule.regex().matcher(path).matches()) {
            return true;
        }
        // A pattern matching a parent directory covers the path too: try every proper prefix of the path.
        StringBuilder prefix = new StringBuilder();
        for (int i = 0; i < parts.length - 1; i++) {
            if (i > 0) {
                prefix.append('/');
            }
            prefix.append(parts[i]);
            if (rule.regex().matcher(prefix).matches()) {
                return true;
            }
        }
        return false;
    }

    /** Like Go's filepath.Clean on a slash-separated path, made relative (no leading slash). */
    static String clean(String path) {
        List<String> out = new ArrayList<>();
        for (String part : path.split("/")) {
            if (part.isEmpty() || part.equals(".")) {
                continue;
            }
            if (part.equals("..")) {
                if (!out.isEmpty() && !out.get(out.size() - 1).equals("..")) {
                    out.remove(out.size() - 1);
                }
                continue; // ".." above the context root stays at the root
            }
            out.add(part);
        }
        return String.join("/", out);
    }

    static String toRegex(String pattern) {
        StringBuilder re = new StringBuilder("^");
        int n = pattern.length();
        for (int i = 0; i < n; i++) {
            char c = pattern.charAt(i);
            switch (c) {
                case '*' -> {
                    if (i + 1 < n && pattern.charAt(i + 1) == '*') {
                        i++;
                        if (i + 1 < n && pattern.charAt(i + 1) == '/') {
                            i++;
                        }
                        re.append(i + 1 >= n ? ".*" : "(.*/)?");
                    } else {
                        re.append("[^/]*");
                    }
                }
                case '?' -> re.append("[^/]");
                case '[' -> {
                    int end = pattern.indexOf(']', i + 2);
                    if (end < 0) {
                        re.append("\\[");
                    } else {
                        String body = pattern.substring(i + 1, end);
                        if (body.startsWith("!") || body.startsWith("^")) {
                            body = "^" + body.substring(1);
                        }
                        re.append('[').append(body.replace("\\", "\\\\").replace("[", "\\[")).append(']');
                        i = end;
                    }
                }
                case '\\' -> {
                    if (i + 1 < n) {
                        i++;
                        re.append(Pattern.quote(String.valueOf(pattern.charAt(i))));
                    } else {
                        re.append("\\\\");
                    }
                }
                default -> re.append(Pattern.quote(String.valueOf(c)));
            }
        }
        return re.append('$').toString();
    }

    @Override
    public String toString() {
        return "DockerIgnore" + rules.stream().map(r -> (r.exclusion() ? "" : "!") + r.pattern()).toList();
    }
}
