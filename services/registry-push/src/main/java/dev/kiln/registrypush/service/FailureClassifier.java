package dev.kiln.registrypush.service;

import static dev.kiln.support.text.Failures.message;

import com.github.dockerjava.api.exception.NotFoundException;
import com.google.cloud.tools.jib.api.InsecureRegistryException;
import com.google.cloud.tools.jib.api.RegistryAuthenticationFailedException;
import com.google.cloud.tools.jib.api.RegistryUnauthorizedException;
import com.google.cloud.tools.jib.http.ResponseException;
import dev.kiln.registrypush.client.DaemonException;
import dev.kiln.registrypush.client.DaemonImagePusher;
import dev.kiln.registrypush.domain.PushFailure;
import dev.kiln.support.registry.RegistryException;
import java.io.IOException;
import java.util.concurrent.ExecutionException;

/** Turns what went wrong during a push (daemon, Jib, registry read-back, SBOM attachment) into a {@link PushFailure}. */
final class FailureClassifier {
    private FailureClassifier() {
    }

    static PushFailure classify(Throwable failure) {
        Throwable top = unwrap(failure);
        for (Throwable t = top; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof DaemonImagePusher.ConfigMismatchException) {
                return new PushFailure(PushFailure.CONFIG_MISMATCH, message(t), false);
            }
            if (t instanceof PushService.DigestMismatch) {
                return new PushFailure(PushFailure.DIGEST_MISMATCH, message(t), false);
            }
            if (t instanceof DaemonException d) {
                return d.imageMissing()
                        ? new PushFailure(PushFailure.IMAGE_MISSING, message(d), false)
                        : new PushFailure(PushFailure.DOCKER_UNAVAILABLE, message(d), true);
            }
            if (t instanceof NotFoundException) {
                return new PushFailure(PushFailure.IMAGE_MISSING, message(t), false);
            }
            if (t instanceof RegistryUnauthorizedException || t instanceof RegistryAuthenticationFailedException
                    || t.getClass().getSimpleName().equals("RegistryCredentialsNotSentException")) {
                return new PushFailure(PushFailure.REGISTRY_AUTH_FAILED, message(t), false);
            }
            if (t instanceof RegistryException r) {
                if (r.status() == 401 || r.status() == 403) {
                    return new PushFailure(PushFailure.REGISTRY_AUTH_FAILED, message(r), false);
                }
                return new PushFailure(r.isTransient() ? PushFailure.REGISTRY_UNAVAILABLE : PushFailure.PUSH_REJECTED,
                        message(r), r.isTransient());
            }
            if (t instanceof ResponseException r) {
                int status = r.getStatusCode();
                if (status == 401 || status == 403) {
                    return new PushFailure(PushFailure.REGISTRY_AUTH_FAILED, "the registry answered " + status, false);
                }
                boolean retry = status >= 500 || status == 429;
                return new PushFailure(retry ? PushFailure.REGISTRY_UNAVAILABLE : PushFailure.PUSH_REJECTED,
                        "the registry answered " + status + contentOf(r), retry);
            }
            if (t instanceof InsecureRegistryException) {
                return new PushFailure(PushFailure.REGISTRY_UNAVAILABLE, message(t), true);
            }
        }
        for (Throwable t = top; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof IOException) {
                // connection refused, reset, timeouts: the registry is not there or not answering
                return new PushFailure(PushFailure.REGISTRY_UNAVAILABLE, message(t), true);
            }
        }
        return new PushFailure(PushFailure.PUSH_REJECTED, message(top), false);
    }

    /**
     * A failure while attaching the SBOM to the pushed image: always {@code sbom-attach-failed}, transient when the
     * registry's answer (5xx, refused connection, timeout) says trying again may help.
     */
    static PushFailure classifySbomAttachment(Throwable failure) {
        PushFailure cause = classify(failure);
        return new PushFailure(PushFailure.SBOM_ATTACH_FAILED, cause.detail(), cause.transientFailure());
    }

    static PushFailure classifyProvenanceAttachment(Throwable failure) {
        PushFailure cause = classify(failure);
        return new PushFailure(PushFailure.PROVENANCE_ATTACH_FAILED, cause.detail(), cause.transientFailure());
    }

    private static Throwable unwrap(Throwable t) {
        while (t instanceof ExecutionException && t.getCause() != null) {
            t = t.getCause();
        }
        return t;
    }

    private static String contentOf(ResponseException r) {
        String content = r.getContent();
        return content == null || content.isBlank() ? "" : ": " + content.strip();
    }
}
