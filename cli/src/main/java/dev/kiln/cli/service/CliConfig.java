package dev.kiln.cli.service;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;

/**
 * The file {@code kiln login} writes: {@code {"server": URL, "token": TOKEN}}, mode 0600. Where it lives:
 * {@code --config}, else {@code $KILN_CONFIG}, else {@code $XDG_CONFIG_HOME/kiln/config.json}, else
 * {@code $HOME/.config/kiln/config.json} ({@code user.home} without {@code $HOME}).
 */
public final class CliConfig {

    private static final ObjectMapper JSON = new ObjectMapper();

    /** What the file holds (either may be null). */
    public record Settings(String server, String token) {
    }

    private CliConfig() {
    }

    public static Path location(String option, Map<String, String> env) {
        if (option != null && !option.isBlank()) {
            return Path.of(option.strip());
        }
        String explicit = env.get("KILN_CONFIG");
        if (explicit != null && !explicit.isBlank()) {
            return Path.of(explicit.strip());
        }
        String xdg = env.get("XDG_CONFIG_HOME");
        // $HOME as a shell has it (the JVM's user.home comes from the password database and ignores it)
        String home = env.get("HOME");
        Path base = xdg != null && !xdg.isBlank() ? Path.of(xdg)
                : Path.of(home != null && !home.isBlank() ? home : System.getProperty("user.home"), ".config");
        return base.resolve("kiln").resolve("config.json");
    }

    /** The settings in {@code file}; empty ones when it does not exist. */
    public static Settings read(Path file) {
        if (!Files.isRegularFile(file)) {
            return new Settings(null, null);
        }
        try {
            JsonNode node = JSON.readTree(file.toFile());
            return new Settings(text(node, "server"), text(node, "token"));
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read the kiln config file " + file + ": " + e.getMessage()
                    + " (fix or delete it, then run kiln login again)");
        }
    }

    /** Writes the settings readable by the owner only (0600, directory 0700), replacing the file atomically. */
    public static void write(Path file, Settings settings) throws IOException {
        Path dir = file.toAbsolutePath().getParent();
        boolean posix = FileSystems.getDefault().supportedFileAttributeViews().contains("posix");
        if (!Files.isDirectory(dir)) {
            if (posix) {
                Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            } else {
                Files.createDirectories(dir);
            }
        }
        ObjectNode node = JSON.createObjectNode();
        if (settings.server() != null) {
            node.put("server", settings.server());
        }
        if (settings.token() != null) {
            node.put("token", settings.token());
        }
        Path tmp = posix
                ? Files.createTempFile(dir, ".config", ".tmp",
                        PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")))
                : Files.createTempFile(dir, ".config", ".tmp");
        try {
            Files.writeString(tmp, JSON.writerWithDefaultPrettyPrinter().writeValueAsString(node) + "\n");
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(tmp);
        }
        if (posix) {
            Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
        }
    }

    private static String text(JsonNode node, String field) {
        JsonNode v = node == null ? null : node.get(field);
        return v == null || v.isNull() || v.asText().isBlank() ? null : v.asText().strip();
    }
}
