package dev.kiln.cli.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class ImageReferenceTest {
    @Test
    void tagsDigestsAndSchemes() {
        String digest = "sha256:" + "a".repeat(64);
        assertEquals(new ImageReference("localhost:5001", "hello", "1.0-1"), ImageReference.parse("localhost:5001/hello:1.0-1"));
        assertEquals(new ImageReference("localhost:5001", "base/busybox", digest),
                ImageReference.parse("localhost:5001/base/busybox@" + digest));
        assertEquals(new ImageReference("registry.example:443", "a/b", "latest"), ImageReference.parse("registry.example:443/a/b"));
        assertEquals("http://localhost:5001", ImageReference.parse("localhost:5001/hello:1").baseUrl().toString());
        assertEquals("http://127.0.0.1:5000", ImageReference.parse("127.0.0.1:5000/hello:1").baseUrl().toString());
        assertEquals("https://registry.example", ImageReference.parse("registry.example/hello:1").baseUrl().toString());
        assertThrows(IllegalArgumentException.class, () -> ImageReference.parse("hello"));
        assertThrows(IllegalArgumentException.class, () -> ImageReference.parse("localhost:5001/Hello:1"));
        assertThrows(IllegalArgumentException.class, () -> ImageReference.parse("localhost:5001/hello@sha256:xyz"));
    }
}
