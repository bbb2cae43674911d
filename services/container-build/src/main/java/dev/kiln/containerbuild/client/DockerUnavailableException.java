package dev.kiln.containerbuild.client;

import static dev.kiln.support.text.Failures.rootMessage;

/** The daemon could not be reached at all (connection refused, socket missing, TLS handshake failed). */
public class DockerUnavailableException extends RuntimeException {
    public DockerUnavailableException(String dockerHost, Throwable cause) {
        super("the Docker daemon at " + dockerHost + " is not reachable: " + rootMessage(cause), cause);
    }
}
