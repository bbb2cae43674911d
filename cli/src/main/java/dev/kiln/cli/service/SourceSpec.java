package dev.kiln.cli.service;

import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.regex.Pattern;

/** What {@code kiln container-build SOURCE} builds: a local context directory or a git repository at a ref. */
public sealed interface SourceSpec {

    String DEFAULT_REF = "main";

    /** scp-like git addresses such as {@code git@host:group/repo.git}. */
    Pattern SCP_LIKE = Pattern.compile("^[\\w.-]+@[\\w.-]+:.*");

    record ContextDir(Path dir) implements SourceSpec {
    }

    record Git(String url, String ref) implements SourceSpec {
    }

    /** {@code URL#REF} of {@code --git}: always a git source (REF defaults to {@value #DEFAULT_REF}). */
    static SourceSpec parseGit(String text) {
        if (text == null || text.isBlank() || text.startsWith("#")) {
            throw new IllegalArgumentException("--git needs URL#REF, e.g. https://git.example/hello.git#main");
        }
        int hash = text.indexOf('#');
        String url = hash < 0 ? text : text.substring(0, hash);
        String ref = hash < 0 ? "" : text.substring(hash + 1);
        return new Git(url.strip(), ref.isBlank() ? DEFAULT_REF : ref.strip());
    }

    /**
     * An existing directory is a build context; otherwise {@code URL#REF} (REF defaults to {@value #DEFAULT_REF}).
     *
     * @throws IllegalArgumentException when the text is neither
     */
    static SourceSpec parse(String text) {
        if (text == null || text.isBlank()) {
            throw new IllegalArgumentException("SOURCE must be a directory or a git URL");
        }
        try {
            Path dir = Path.of(text);
            if (Files.isDirectory(dir)) {
                return new ContextDir(dir);
            }
        } catch (InvalidPathException notAPath) {
            // fall through: it may still be a URL
        }
        int hash = text.indexOf('#');
        String url = hash < 0 ? text : text.substring(0, hash);
        String ref = hash < 0 ? "" : text.substring(hash + 1);
        boolean looksLikeGit = url.contains("://") || SCP_LIKE.matcher(url).matches() || url.endsWith(".git")
                || hash >= 0;
        if (!looksLikeGit || url.isBlank()) {
            throw new IllegalArgumentException("SOURCE '" + text
                    + "' is neither an existing directory nor a git URL (URL#REF)");
        }
        return new Git(url, ref.isBlank() ? DEFAULT_REF : ref);
    }
}
