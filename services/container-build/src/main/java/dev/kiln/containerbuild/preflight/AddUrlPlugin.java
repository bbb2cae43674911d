package dev.kiln.containerbuild.preflight;

import dev.kiln.containerbuild.domain.BuildFailure;
import dev.kiln.events.Stage;
import dev.kiln.support.dockerfile.DockerfileParser;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Refuses {@code ADD <url>} while the build has no network: the daemon itself would download the URL (network
 * {@code none} only isolates the build containers), which is exactly what an isolated build must not do.
 */
public final class AddUrlPlugin implements PreflightPlugin {
    @Override
    public String name() {
        return "add-url";
    }

    @Override
    public void run(PreflightContext c) throws BuildFailure {
        if (!"none".equals(c.network())) {
            c.log("preflight " + name() + ": network " + c.network() + ", ADD <url> allowed");
            return;
        }
        for (DockerfileParser.Instruction in : c.parsed().instructions()) {
            if (!in.keyword().equals("ADD")) {
                continue;
            }
            for (String source : sources(in.args())) {
                if (isUrl(source)) {
                    throw new BuildFailure(Stage.PREFLIGHT, "add-url-without-network", "ADD " + source + " at line "
                            + in.firstLine() + " of " + c.dockerfilePath() + " downloads during the build, but builds"
                            + " run without network; put the file into the source (or the uploaded context) and ADD it"
                            + " from there.", false);
                }
            }
        }
        c.log("preflight " + name() + ": no ADD <url>");
    }

    /** The source operands of an ADD (flags and the destination dropped), from the shell or the JSON form. */
    static List<String> sources(String args) {
        List<String> words = new ArrayList<>();
        String a = args.strip();
        while (a.startsWith("--")) { // --chown=..., --chmod=..., --checksum=...
            String[] flagAndRest = a.split("\\s+", 2);
            if (flagAndRest.length < 2) {
                return List.of();
            }
            a = flagAndRest[1];
        }
        if (a.startsWith("[")) {
            for (String part : a.substring(1, a.endsWith("]") ? a.length() - 1 : a.length()).split(",")) {
                String w = part.strip();
                if (w.length() >= 2 && w.startsWith("\"") && w.endsWith("\"")) {
                    w = w.substring(1, w.length() - 1);
                }
                words.add(w);
            }
        } else {
            for (String w : a.split("\\s+")) {
                if (!w.isEmpty()) {
                    words.add(w);
                }
            }
        }
        return words.size() <= 1 ? List.of() : words.subList(0, words.size() - 1);
    }

    static boolean isUrl(String source) {
        String s = source.toLowerCase(Locale.ROOT);
        return s.startsWith("http://") || s.startsWith("https://") || s.startsWith("ftp://") || s.startsWith("git@")
                || s.startsWith("git://");
    }
}
