package dev.kiln.support.docker;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.dockerjava.api.exception.DockerException;
import dev.kiln.support.text.Failures;

/**
 * What the Docker daemon said, as a sentence: docker-java's exceptions carry the daemon's answer as
 * {@code Status 400: {"message":"..."}}; a maintainer gets the {@code message}, never the JSON.
 */
public final class DaemonErrors {
    private static final ObjectMapper JSON = new ObjectMapper();

    private DaemonErrors() {
    }

    /**
     * The daemon's message of {@code failure} on one line, or its own message when it is not a daemon answer (never a
     * class name).
     */
    public static String text(Throwable failure) {
        if (failure == null) {
            return "no details";
        }
        String message = Failures.message(failure);
        if (failure instanceof DockerException) {
            message = message.replaceFirst("^(Status \\d+:\\s*)+", "");
        }
        String trimmed = message.strip();
        if (trimmed.startsWith("{")) {
            try {
                JsonNode node = JSON.readTree(trimmed);
                if (node.hasNonNull("message")) {
                    message = node.get("message").asText();
                }
            } catch (java.io.IOException notJson) {
                // keep the text as it is
            }
        }
        return message.replaceAll("\\s+", " ").strip();
    }

    /**
     * Whether a failed pull may pass when tried again: a missing image, a refusal or a bad reference stays so; anything
     * else (the registry or the daemon away, a timeout, a broken connection) may pass. One rule for every service
     * that pulls (container-build's parents, qa's subject).
     */
    public static boolean isTransientPullFailure(RuntimeException e) {
        if (e instanceof com.github.dockerjava.api.exception.NotFoundException) {
            return false;
        }
        String m = String.valueOf(e.getMessage()).toLowerCase(java.util.Locale.ROOT);
        return !(m.contains("not found") || m.contains("manifest unknown") || m.contains("denied")
                || m.contains("unauthorized") || m.contains("no basic auth credentials")
                || m.contains("authentication required") || m.contains("invalid reference"));
    }
}
