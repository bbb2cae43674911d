package dev.kiln.support.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** A registry's or token service's error answer reaches people as a sentence, not as JSON. */
class RegistryErrorTextTest {

    @Test
    void distributionErrorsBecomeCodeAndMessage() {
        assertEquals("UNAUTHORIZED: bad credentials",
                RegistryClient.errorText("{\"errors\":[{\"code\":\"UNAUTHORIZED\",\"message\":\"bad credentials\"}]}"));
        assertEquals("MANIFEST_INVALID: manifest invalid; BLOB_UNKNOWN",
                RegistryClient.errorText("{\"errors\":[{\"code\":\"MANIFEST_INVALID\",\"message\":\"manifest invalid\","
                        + "\"detail\":{}},{\"code\":\"BLOB_UNKNOWN\"}]}\n"));
    }

    @Test
    void anyOtherBodyStaysAsItIsOnOneShortLine() {
        assertEquals("", RegistryClient.errorText(null));
        assertEquals("upstream connect error", RegistryClient.errorText("  upstream\n connect   error \n"));
        assertEquals("{\"not\": \"errors\"}", RegistryClient.errorText("{\"not\": \"errors\"}"));
        assertEquals(301, RegistryClient.errorText("x".repeat(500)).length());
    }
}
