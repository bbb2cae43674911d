package dev.kiln.support.docker;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.dockerjava.api.exception.DockerException;

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
        String message = dev.kiln.support.text.Failures.message(failure);
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
}
