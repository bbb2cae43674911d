package dev.kiln.events;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The one reference and digest parser: Docker's registry rule, tags and digests together, and the refusals. */
class ImageReferenceTest {
    private static final String HEX = "a".repeat(64);
    private static final String DIGEST = "sha256:" + HEX;

    @Test
    void dockerHubNamesHaveNoRegistry() {
        ImageReference r = ImageReference.parse("busybox");
        assertNull(r.registry());
        assertEquals("busybox", r.repository());
        assertNull(r.tagOrDigest());
        assertEquals("latest", r.tagOrDigestOrLatest());
        ImageReference library = ImageReference.parse("library/busybox:1.36");
        assertNull(library.registry());
        assertEquals("library/busybox", library.name());
        assertEquals("1.36", library.tag());
    }

    @Test
    void aFirstComponentWithAPortADotOrLocalhostIsTheRegistry() {
        ImageReference r = ImageReference.parse("localhost:5000/base/busybox:1.36");
        assertEquals("localhost:5000", r.registry());
        assertEquals("base/busybox", r.repository());
        assertEquals("1.36", r.tag());
        assertEquals("localhost:5000/base/busybox", r.name());
        assertEquals("registry.example.com", ImageReference.parse("registry.example.com/a/b").registry());
        assertEquals("localhost", ImageReference.parse("localhost/x").registry());
        assertEquals("[::1]:5000", ImageReference.parse("[::1]:5000/x:y").registry());
        assertEquals("localhost:5000/base/busybox:1.36", r.toString());
        assertEquals("registry.fedoraproject.org", ImageReference.parse("registry.fedoraproject.org/fedora:40").registry());
        assertNull(ImageReference.parse("kiln/busybox:latest").registry());
        assertNull(ImageReference.parse("busybox:latest").registry());
        assertEquals("localhost:5000/a", ImageReference.parse("localhost:5000/a").name());
    }

    @Test
    void aDigestWinsOverATag() {
        ImageReference r = ImageReference.parse("localhost:5000/hello:1.0-1@" + DIGEST);
        assertEquals("1.0-1", r.tag());
        assertEquals(DIGEST, r.digest().toString());
        assertEquals(DIGEST, r.tagOrDigest());
        assertEquals("localhost:5000/hello", r.name());
        assertEquals("localhost:5000/hello:1.0-1@" + DIGEST, r.toString());
        ImageReference pinned = ImageReference.parse("localhost:5000/hello:1.0-1").at(r.digest());
        assertEquals("localhost:5000/hello@" + DIGEST, pinned.toString());
        assertEquals("localhost:5000/hello:2", pinned.withTag("2").toString());
    }

    @Test
    void badReferencesAreRefusedWithASentence() {
        for (String bad : new String[] { "", "Hello", "a//b", "x:", "x@sha256:zz", "host.io/repo:-bad", "x@" + HEX,
                "host.io/", "/x" }) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ImageReference.parse(bad),
                    bad);
            assertFalse(e.getMessage().isBlank());
        }
    }

    @Test
    void digests() {
        Digest d = Digest.parse(DIGEST);
        assertEquals("sha256", d.algorithm());
        assertEquals(HEX, d.hex());
        assertEquals("sha256-" + HEX, d.tagForm());
        assertTrue(Digest.isDigest("sha512:" + "0".repeat(128)));
        assertFalse(Digest.isDigest("sha256:" + "A".repeat(64)));
        assertFalse(Digest.isDigest("sha256:" + "a".repeat(63)));
        assertFalse(Digest.isDigest(null));
        assertTrue(Digest.find("md5:abc").isEmpty());
        assertEquals("sha256:2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824",
                Digest.sha256("hello").toString());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Digest.parse("sha256:nope"));
        assertTrue(e.getMessage().contains("sha256:<64 lower-case hex digits>"), e.getMessage());
    }
}
