package dev.kiln.containerbuild.service;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Reads the {@code FROM} instructions of a Dockerfile. Continuation lines (a trailing backslash) are joined,
 * comment lines skipped, {@code --platform=...} flags ignored. The parent image is the image of the last
 * {@code FROM}; a {@code FROM} that names an earlier stage ({@code FROM base AS build} ... {@code FROM build})
 * resolves to that stage's image, since a stage name is not an image. {@code ARG}s before {@code FROM} are not
 * substituted yet.
 */
public final class DockerfileParser {

    /** One {@code FROM}: its image as written and its stage name ({@code AS name}), or null. */
    public record From(String image, String stageName) {
    }

    /** All {@code FROM}s in order and the parent image (null for a Dockerfile without one). */
    public record Result(List<From> froms, String parentImage) {
        public boolean isScratchParent() {
            return "scratch".equalsIgnoreCase(parentImage);
        }
    }

    private DockerfileParser() {
    }

    public static Result parse(String dockerfile) {
        List<From> froms = new ArrayList<>();
        Map<String, String> stageImages = new HashMap<>();
        String parent = null;
        for (String instruction : instructions(dockerfile)) {
            String[] words = instruction.trim().split("\\s+");
            if (words.length == 0 || !words[0].equalsIgnoreCase("FROM")) {
                continue;
            }
            List<String> args = new ArrayList<>();
            for (int i = 1; i < words.length; i++) {
                if (!words[i].startsWith("--")) {
                    args.add(words[i]);
                }
            }
            if (args.isEmpty()) {
                continue;
            }
            String image = args.get(0);
            String stage = args.size() >= 3 && args.get(1).equalsIgnoreCase("AS") ? args.get(2) : null;
            froms.add(new From(image, stage));
            String resolved = stageImages.getOrDefault(image.toLowerCase(Locale.ROOT), image);
            if (stage != null) {
                stageImages.put(stage.toLowerCase(Locale.ROOT), resolved);
            }
            parent = resolved;
        }
        return new Result(List.copyOf(froms), parent);
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
    static List<String> instructions(String dockerfile) {
        List<String> result = new ArrayList<>();
        StringBuilder current = new StringBuilder();
        for (String raw : dockerfile.split("\\r?\\n", -1)) {
            String line = raw.strip();
            if (line.startsWith("#")) {
                continue; // comments are dropped, also inside a continued instruction
            }
            if (line.isEmpty()) {
                continue; // an empty line does not end a continued instruction either
            }
            boolean continued = line.endsWith("\\");
            if (continued) {
                line = line.substring(0, line.length() - 1);
            }
            current.append(line).append(' ');
            if (!continued) {
                result.add(current.toString().trim());
                current.setLength(0);
            }
        }
        if (current.length() > 0) {
            result.add(current.toString().trim());
        }
        return result;
    }
}
