package dev.kiln.signing.config;

import dev.kiln.support.registry.RegistryEndpoint;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Every {@code kiln.*} setting of the signing service. */
@ConfigMapping(prefix = "kiln")
public interface SigningConfig {

    Signing signing();

    Registries registry();

    interface Signing {
        /**
         * The cosign key: a PKCS#8 PEM EC P-256 private key, unencrypted ({@code BEGIN PRIVATE KEY}) or encrypted
         * ({@code BEGIN ENCRYPTED PRIVATE KEY}, passphrase from {@link #passphrase()}). When set it is the active cosign key.
         */
        Optional<String> keyFile();

        /** The OpenPGP key: an armored secret key ring. When set it is the active OpenPGP key. */
        Optional<String> openpgpKeyFile();

        /** Passphrase of encrypted key files (env {@code KILN_SIGNING_PASSPHRASE}); a key entry may have its own. */
        Optional<String> passphrase();

        /** More keys (rotation): each a cosign PEM or an OpenPGP armored secret key ring. */
        Optional<List<KeyEntry>> keys();

        /** A directory of keys: {@code *.pem}/{@code *.key} (cosign) and {@code *.asc} (OpenPGP), sorted by file name. */
        Optional<String> keyDir();

        /**
         * Key ids (or file names) of the keys that sign, at most one per format. Without it: the {@code key-file} /
         * {@code openpgp-key-file} when set, otherwise the last key of that format (list order, then file name order).
         * Every other key is still served for verification.
         */
        Optional<List<String>> activeKeys();

        /** With no OpenPGP key configured, generate one on first start and keep it (encrypted) in PostgreSQL. */
        @WithDefault("true")
        boolean generateOpenpgpKey();

        /** User id of a generated OpenPGP key. */
        @WithDefault("Kiln signing <signing@kiln.invalid>")
        String openpgpUserId();

        /** Base URL of the lookaside store this service serves ({@code GET /lookaside/...}), as clients reach it. */
        @WithDefault("http://localhost:8084/lookaside")
        String lookasideUrl();

        /** Pause after each handled event (rate limit towards registries; 0 = none). */
        @WithDefault("0")
        long throttleMillis();
    }

    interface KeyEntry {
        /** Path of the key file. */
        String file();

        /** Passphrase of this key file; falls back to {@code passphrase-env}, then to {@code kiln.signing.passphrase}. */
        Optional<String> passphrase();

        /** Name of an environment variable holding this key's passphrase. */
        Optional<String> passphraseEnv();
    }

    interface Registries {
        Registry candidate();

        Registry production();

        /**
         * Further registries release may promote to, as release names them ({@code kiln.registry.targets.<name>.address}
         * and {@code .url}, e.g. a mirror): their names are signed like production's. Any other registry is refused.
         */
        Map<String, Registry> targets();
    }

    /** A registry: address, URL and this service's credentials ({@code kiln.registry.<name>.username/password}). */
    interface Registry extends RegistryEndpoint {
    }
}
