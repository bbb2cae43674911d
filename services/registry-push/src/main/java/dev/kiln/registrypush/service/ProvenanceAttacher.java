package dev.kiln.registrypush.service;

import dev.kiln.events.BuildCompleted;
import dev.kiln.events.ImagePushed;
import dev.kiln.support.attest.Attestations;
import dev.kiln.support.attest.Dsse;
import dev.kiln.support.attest.Provenance;
import dev.kiln.support.keys.KeyLoader;
import dev.kiln.support.keys.SigningKey;
import dev.kiln.support.registry.RegistryClient;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.eclipse.microprofile.config.ConfigProvider;
import org.jboss.logging.Logger;

/**
 * Signs each pushed image's SLSA provenance with the builder key and attaches it in cosign's layout
 * ({@code sha256-<hex>.att}): the build side's word, under a key neither signing nor release holds, that Kiln built
 * this digest from this source. A redelivered event whose provenance is already there, signed by this key for this
 * build, attaches nothing.
 */
final class ProvenanceAttacher {
    private static final Logger LOG = Logger.getLogger(ProvenanceAttacher.class);

    private final SigningKey key;
    private final String builderId;
    private final String version;

    private ProvenanceAttacher(SigningKey key, String builderId) {
        this.key = key;
        this.builderId = builderId;
        this.version = ConfigProvider.getConfig().getOptionalValue("quarkus.application.version", String.class)
                .orElse("dev");
    }

    /** The attacher for the configured builder key; empty (with a warning) when none is configured. */
    static Optional<ProvenanceAttacher> configured(Optional<String> keyFile, String builderId) {
        if (keyFile.isEmpty()) {
            LOG.warn("no builder key (kiln.provenance.key-file): pushed images get no provenance, and a gate that"
                    + " requires one will not promote them");
            return Optional.empty();
        }
        SigningKey key = KeyLoader.load(Path.of(keyFile.get()), Optional.empty(),
                "kiln.provenance.key-file / KILN_PROVENANCE_KEY_FILE");
        LOG.infof("signing provenance as %s with builder key %s", builderId, key.keyId());
        return Optional.of(new ProvenanceAttacher(key, builderId));
    }

    /** Attaches the provenance of {@code event}'s image as pushed; false when it was there already. */
    boolean attach(RegistryClient registry, BuildCompleted event, ImagePushed pushed) {
        if (event.run() == null) {
            LOG.warnf("build %s: its build.completed has no run details (an older container-build): no provenance",
                    event.buildId());
            return false;
        }
        String repository = pushed.repository();
        for (Attestations.Attached a : Attestations.read(registry, repository, pushed.digest())) {
            if (Provenance.PREDICATE_TYPE.equals(a.predicateType())
                    && a.envelope().verifiedBy(List.of(key.publicKey())).isPresent()
                    && sameBuild(a.envelope().payload(), event.buildId(), pushed.digest())) {
                LOG.infof("build %s: its provenance is attached already", event.buildId());
                return false;
            }
        }
        byte[] statement = Provenance.statement(pushed.registry() + "/" + repository, pushed.digest(), event,
                builderId, version);
        Dsse.Envelope envelope = Dsse.sign(Dsse.IN_TOTO, statement, key.privateKey(), key.publicKey());
        Attestations.attach(registry, repository, pushed.digest(), envelope, Provenance.PREDICATE_TYPE);
        LOG.infof("build %s: attached its provenance to %s (%s, builder key %s)", event.buildId(), pushed.reference(),
                Attestations.tag(pushed.digest()), key.keyId());
        return true;
    }

    private static boolean sameBuild(byte[] statement, String buildId, String digest) {
        try {
            Provenance.Facts facts = Provenance.read(statement);
            return facts.buildId().equals(buildId) && facts.names(digest);
        } catch (IllegalArgumentException e) {
            return false;
        }
    }
}
