package dev.kiln.support.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** Plain http only for a registry on this machine. */
class RegistryDefaultUrlTest {
    @Test
    void localRegistriesArePlainHttpOthersHttps() {
        assertEquals("http://localhost:5001", RegistryClient.defaultUrl("localhost:5001").toString());
        assertEquals("http://127.0.0.1:5000", RegistryClient.defaultUrl("127.0.0.1:5000").toString());
        assertEquals("http://[::1]:5000", RegistryClient.defaultUrl("[::1]:5000").toString());
        assertEquals("https://registry.example", RegistryClient.defaultUrl("registry.example").toString());
        assertEquals("https://registry.example:443", RegistryClient.defaultUrl("registry.example:443").toString());
    }
}
