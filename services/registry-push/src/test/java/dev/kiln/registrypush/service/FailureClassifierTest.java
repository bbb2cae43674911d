package dev.kiln.registrypush.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.registrypush.client.DaemonException;
import dev.kiln.registrypush.domain.PushFailure;
import dev.kiln.support.registry.RegistryException;
import java.net.ConnectException;
import java.util.concurrent.ExecutionException;
import org.junit.jupiter.api.Test;

class FailureClassifierTest {
    @Test
    void sortsFailuresIntoReasonCodes() {
        PushFailure missing = FailureClassifier.classify(new ExecutionException(new DaemonException("gone", true, null)));
        assertEquals(PushFailure.IMAGE_MISSING, missing.reason());
        assertFalse(missing.transientFailure());

        PushFailure daemon = FailureClassifier.classify(new DaemonException("down", false, null));
        assertEquals(PushFailure.DOCKER_UNAVAILABLE, daemon.reason());
        assertTrue(daemon.transientFailure());

        PushFailure refused = FailureClassifier.classify(new ExecutionException(new ConnectException("Connection refused")));
        assertEquals(PushFailure.REGISTRY_UNAVAILABLE, refused.reason());
        assertTrue(refused.transientFailure());

        PushFailure server = FailureClassifier.classify(new RegistryException("get manifest answered 503", true, 503));
        assertEquals(PushFailure.REGISTRY_UNAVAILABLE, server.reason());
        assertTrue(server.transientFailure());

        PushFailure auth = FailureClassifier.classify(new RegistryException("get manifest answered 403", false, 403));
        assertEquals(PushFailure.REGISTRY_AUTH_FAILED, auth.reason());
        assertFalse(auth.transientFailure());

        PushFailure timeout = FailureClassifier.classify(new ExecutionException(new java.net.SocketTimeoutException("Read timed out")));
        assertEquals(PushFailure.REGISTRY_UNAVAILABLE, timeout.reason());
        assertTrue(timeout.transientFailure());

        PushFailure httpTimeout = FailureClassifier.classify(new java.net.http.HttpTimeoutException("request timed out"));
        assertEquals(PushFailure.REGISTRY_UNAVAILABLE, httpTimeout.reason());
        assertTrue(httpTimeout.transientFailure());

        PushFailure other = FailureClassifier.classify(new IllegalStateException("odd"));
        assertEquals(PushFailure.PUSH_REJECTED, other.reason());
        assertFalse(other.transientFailure());
    }

    @Test
    void anyFailureOfTheSbomAttachmentIsSbomAttachFailedAndKeepsWhetherItIsTransient() {
        PushFailure unavailable = FailureClassifier.classifySbomAttachment(
                new RegistryException("put manifest answered 503", true, 503));
        assertEquals(PushFailure.SBOM_ATTACH_FAILED, unavailable.reason());
        assertTrue(unavailable.transientFailure());
        assertEquals("put manifest answered 503", unavailable.detail());

        PushFailure refused = FailureClassifier.classifySbomAttachment(
                new RegistryException("put manifest answered 400", false, 400));
        assertEquals(PushFailure.SBOM_ATTACH_FAILED, refused.reason());
        assertFalse(refused.transientFailure());
    }
}
