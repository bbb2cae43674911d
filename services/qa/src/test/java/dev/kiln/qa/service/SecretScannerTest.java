package dev.kiln.qa.service;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.junit.jupiter.api.Test;

class SecretScannerTest {
    static final String KEY = "-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEAx1c2b3Jk\n-----END RSA PRIVATE KEY-----\n";

    @Test
    void findsKeysAndCredentialFilesInEveryLayer() throws Exception {
        byte[] saved = tar(Map.of(
                "aaaaaaaaaaaaaaaa/layer.tar", tar(Map.of("etc/ok.conf", "x=1".getBytes(), "root/.ssh/id_rsa", new byte[0])),
                "bbbbbbbbbbbbbbbb/layer.tar", tar(Map.of("root/.ssh/.wh.id_rsa", new byte[0],
                        "srv/app/key.pem", KEY.getBytes(StandardCharsets.UTF_8),
                        "home/u/.docker/config.json", "{}".getBytes(),
                        "doc/howto.txt", "-----BEGIN PRIVATE KEY-----\n...\n".getBytes())),
                "manifest.json", "[]".getBytes()));
        List<SecretScanner.Finding> found = SecretScanner.scan(new TarArchiveInputStream(new ByteArrayInputStream(saved)), 1 << 20);
        assertEquals(List.of("root/.ssh/id_rsa", "srv/app/key.pem", "home/u/.docker/config.json"),
                found.stream().map(SecretScanner.Finding::path).sorted((a, b) -> order(a) - order(b)).toList());
    }

    private static int order(String p) {
        return p.startsWith("root") ? 0 : p.startsWith("srv") ? 1 : 2;
    }

    static byte[] tar(Map<String, byte[]> files) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (TarArchiveOutputStream tar = new TarArchiveOutputStream(out)) {
            for (Map.Entry<String, byte[]> f : files.entrySet()) {
                TarArchiveEntry e = new TarArchiveEntry(f.getKey());
                e.setSize(f.getValue().length);
                tar.putArchiveEntry(e);
                tar.write(f.getValue());
                tar.closeArchiveEntry();
            }
        }
        return out.toByteArray();
    }
}
