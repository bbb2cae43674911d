package dev.kiln.signing.service;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kiln.events.BuildFailed;
import dev.kiln.events.ImagePromoted;
import dev.kiln.events.ImagePushed;
import dev.kiln.events.ImageSigned;
import dev.kiln.events.Stage;
import dev.kiln.signing.client.RegistryClients;
import dev.kiln.signing.config.SigningConfig;
import dev.kiln.signing.domain.OpenPgpKey;
import dev.kiln.signing.domain.SignatureRecord;
import dev.kiln.support.keys.SigningKey;
import dev.kiln.signing.domain.SigningTarget;
import dev.kiln.signing.store.SigningDatabase;
import dev.kiln.support.messaging.FailureKind;
import dev.kiln.support.messaging.Outbox;
import dev.kiln.support.messaging.RetryPolicy;
import dev.kiln.support.messaging.TransientFailure;
import dev.kiln.support.registry.RegistryClient;
import dev.kiln.support.registry.RegistryException;
import dev.kiln.support.verify.CosignFormat;
import dev.kiln.support.verify.SimpleSigningFormat;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;
import org.jboss.logging.Logger;

/**
 * Robosignatory's job: sign every new name of an image that the pipeline produced, only in trusted registries and only
 * for digests that exist there. Each name gets a cosign-compatible signature attached to the image as
 * {@code sha256-<hex>.sig} and an OpenPGP simple signature served in the lookaside layout; both are recorded in
 * PostgreSQL, which is checked first so a repeated event signs nothing twice.
 */
@ApplicationScoped
public class SigningService {
    private static final Logger LOG = Logger.getLogger(SigningService.class);

    /** What an event led to: the names signed (also those signed before, to re-announce them) or a refusal. */
    public record Outcome(List<ImageSigned> signed, Optional<BuildFailed> failure) {
        static Outcome refused(BuildFailed failure) {
            return new Outcome(List.of(), Optional.of(failure));
        }
    }

    /** Serialises read-modify-write of one {@code .sig} manifest within this instance (striped, so bounded). */
    private final ReentrantLock[] locks = new ReentrantLock[64];

    {
        for (int i = 0; i < locks.length; i++) {
            locks[i] = new ReentrantLock();
        }
    }

    /** The shared backoff ({@code kiln.messaging.retry.*}). */
    private final RetryPolicy policy = RetryPolicy.configured();

    @Inject
    SigningKeys keys;

    @Inject
    RegistryClients registries;

    @Inject
    SigningConfig config;

    @Inject
    SigningDatabase database;

    @Inject
    Outbox outbox;

    public Outcome onPushed(ImagePushed event) {
        if (event.tags().isEmpty()) {
            return Outcome.refused(failure(event.buildId(), "no-tag", false, "image " + event.reference()
                    + " was pushed without a tag, so there is no name to sign; push it with a tag"));
        }
        return sign(new SigningTarget(event.buildId(), event.registry(), event.repository(), event.digest(),
                List.of(event.tags().get(0))));
    }

    public Outcome onPromoted(ImagePromoted event) {
        return sign(new SigningTarget(event.buildId(), event.toRegistry(), event.toRepository(), event.digest(), event.tags()));
    }

    Outcome sign(SigningTarget target) {
        Optional<RegistryClient> maybeClient = registries.forAddress(target.registry());
        if (maybeClient.isEmpty()) {
            LOG.warnf("build %s: refusing to sign %s@%s: registry %s is not trusted (trusted: %s)", target.buildId(),
                    target.registry() + "/" + target.repository(), target.digest(), target.registry(), registries.trusted());
            return Outcome.refused(failure(target.buildId(), "registry-not-trusted", false, "registry " + target.registry()
                    + " is not one this signer trusts (" + String.join(", ", registries.trusted())
                    + "); images are signed only in the candidate and production registries"));
        }
        RegistryClient client = maybeClient.get();
        SigningKey key = keys.current();
        List<ImageSigned> signed = new ArrayList<>();
        try {
            boolean exists = retrying(() -> client.manifestExists(target.repository(), target.digest()));
            if (!exists) {
                LOG.warnf("build %s: refusing to sign: %s/%s@%s does not exist", target.buildId(), target.registry(),
                        target.repository(), target.digest());
                return Outcome.refused(failure(target.buildId(), "digest-not-found", false, "the image "
                        + target.registry() + "/" + target.repository() + "@" + target.digest()
                        + " does not exist in that registry, so it was not signed; push it again"));
            }
            // cosign: names without a recorded signature by the active key get a layer (the registry is checked too,
            // for a crash between storing a layer and recording it)
            List<String> unsigned = target.tags().stream().filter(tag -> database.find(target.registry(), target.reference(tag),
                    target.digest(), CosignFormat.FORMAT, key.keyId()).isEmpty()).toList();
            List<String> toRecord = unsigned.isEmpty() ? List.of() : new SigningTarget(target.buildId(), target.registry(),
                    target.repository(), target.digest(), unsigned).references();
            if (!unsigned.isEmpty()) {
                SigningTarget missing = new SigningTarget(target.buildId(), target.registry(), target.repository(), target.digest(), unsigned);
                ReentrantLock lock = locks[Math.floorMod(target.signatureLocation().hashCode(), locks.length)];
                lock.lock();
                try {
                    retrying(() -> attach(client, missing));
                } finally {
                    lock.unlock();
                }
            }
            // the records and their announcements in one transaction; the outbox relay sends them after the commit
            signed.addAll(database.transaction(c -> {
                Instant now = Instant.now();
                List<ImageSigned> events = new ArrayList<>();
                for (String reference : toRecord) {
                    database.recordCosign(c, target.buildId(), target.registry(), target.repository(), reference,
                            target.digest(), key.keyId(), target.signatureLocation(), now);
                }
                for (String reference : target.references()) {
                    SignatureRecord cosign = database.find(c, target.registry(), reference, target.digest(),
                            CosignFormat.FORMAT, key.keyId()).orElseThrow(() -> new IllegalStateException(
                                    "cosign signature of " + reference + " was not recorded"));
                    events.add(event(target.buildId(), cosign));
                    Optional<SignatureRecord> simple = simpleSignature(c, target, reference);
                    if (simple.isPresent()) {
                        events.add(event(target.buildId(), simple.get()));
                    }
                }
                for (ImageSigned e : events) {
                    outbox.add(c, e);
                }
                return events;
            }));
        } catch (RegistryException e) {
            if (e.isTransient()) {
                // a registry that is away: the consumer template tries the event again (with backoff) until it is back
                throw new TransientFailure("the registry did not take the signature of "
                        + target.references() + ": " + e.getMessage(), e);
            }
            LOG.errorf("build %s: cannot sign %s: %s", target.buildId(), target.references(), e.getMessage());
            return Outcome.refused(failure(target.buildId(), "signature-upload-failed", false,
                    "could not store the signature of " + target.references() + ": " + e.getMessage()));
        } catch (IllegalArgumentException e) {
            LOG.errorf("build %s: cannot sign %s: %s", target.buildId(), target.references(), e.getMessage());
            return Outcome.refused(failure(target.buildId(), "signature-manifest-unreadable", false, "the existing signatures at "
                    + target.signatureLocation() + " cannot be read (" + e.getMessage() + "); delete that tag and retry"));
        } catch (SigningDatabase.DatabaseException e) {
            if (FailureKind.isTransient(e)) {
                // PostgreSQL restarting or away: tried again until it is back, never a failed build
                throw new TransientFailure("the signatures of " + target.references()
                        + " could not be recorded yet: " + e.getMessage(), e);
            }
            LOG.errorf(e, "build %s: cannot record the signatures of %s", target.buildId(), target.references());
            return Outcome.refused(failure(target.buildId(), "database-unavailable", false, "the signatures of "
                    + target.references() + " could not be recorded in PostgreSQL (" + e.getMessage()
                    + "); check the signing service's database and send the event again"));
        }
        return new Outcome(signed, Optional.empty());
    }

    /** The simple signature of {@code reference} by the active OpenPGP key, made (and recorded) when there is none. */
    private Optional<SignatureRecord> simpleSignature(java.sql.Connection c, SigningTarget target, String reference)
            throws java.sql.SQLException {
        Optional<OpenPgpKey> pgp = keys.currentOpenPgp();
        if (pgp.isEmpty()) {
            return Optional.empty();
        }
        Instant now = Instant.now();
        String base = config.signing().lookasideUrl();
        return Optional.of(database.findOrCreateSimpleSigning(c, target.buildId(), target.registry(),
                target.repository(), reference, target.digest(), pgp.get().keyId(),
                index -> SimpleSigningFormat.lookasideUrl(base, target.repository(), target.digest(), index),
                () -> keys.signOpenPgp(SimpleSigningFormat.payload(reference, target.digest(), now), now), now));
    }

    private static ImageSigned event(String buildId, SignatureRecord r) {
        return new ImageSigned(buildId, r.registry(), r.repository(), r.reference(), r.digest(), r.format(), r.keyId(),
                r.location(), r.signedAt());
    }

    /**
     * Adds one layer per name not yet signed by our key to the {@code .sig} manifest. Returns how many layers were
     * added (0 for a repeated event).
     */
    private int attach(RegistryClient client, SigningTarget target) {
        String repository = target.repository();
        Optional<RegistryClient.Manifest> existing = client.getManifest(repository, target.signatureTag());
        List<JsonNode> layers = new ArrayList<>(existing.map(m -> CosignFormat.layers(m.bytes())).orElse(List.of()));
        Set<String> alreadySigned = new HashSet<>();
        for (JsonNode layer : layers) {
            alreadySigned(client, repository, target.digest(), layer).ifPresent(alreadySigned::add);
        }
        int added = 0;
        Instant now = Instant.now();
        for (String reference : target.references()) {
            if (alreadySigned.contains(reference)) {
                LOG.infof("build %s: %s@%s is already signed; nothing added", target.buildId(), reference, target.digest());
                continue;
            }
            byte[] payload = CosignFormat.payload(reference, target.digest(), now);
            String payloadDigest = RegistryClient.sha256(payload);
            if (!client.blobExists(repository, payloadDigest)) {
                client.putBlob(repository, payloadDigest, payload);
            }
            layers.add(CosignFormat.layer(payload, keys.sign(payload)));
            alreadySigned.add(reference);
            added++;
        }
        if (added == 0) {
            return 0;
        }
        List<String> diffIds = layers.stream().map(l -> l.path("digest").asText()).toList();
        byte[] configBlob = CosignFormat.config(diffIds);
        String configDigest = RegistryClient.sha256(configBlob);
        if (!client.blobExists(repository, configDigest)) {
            client.putBlob(repository, configDigest, configBlob);
        }
        client.putManifest(repository, target.signatureTag(), CosignFormat.manifest(configBlob, layers), RegistryClient.OCI_MANIFEST);
        LOG.infof("build %s: signed %s at %s (%d new layer(s), key %s)", target.buildId(), target.references(),
                target.signatureLocation(), added, keys.current().keyId());
        return added;
    }

    /** The name an existing layer signs for {@code digest} with our key, if it does. */
    private Optional<String> alreadySigned(RegistryClient client, String repository, String digest, JsonNode layer) {
        String layerDigest = layer.path("digest").asText("");
        String signature = layer.path("annotations").path(CosignFormat.SIGNATURE_ANNOTATION).asText("");
        if (!CosignFormat.PAYLOAD_MEDIA_TYPE.equals(layer.path("mediaType").asText()) || layerDigest.isEmpty() || signature.isEmpty()) {
            return Optional.empty();
        }
        byte[] payload;
        try {
            payload = client.getBlob(repository, layerDigest);
        } catch (RegistryException e) {
            if (e.isTransient()) {
                throw e;
            }
            LOG.warnf("signature layer %s in %s cannot be read (%s); it is kept but not counted", layerDigest, repository, e.getMessage());
            return Optional.empty();
        }
        if (!keys.verifies(payload, signature)) {
            return Optional.empty();
        }
        return CosignFormat.identity(payload).filter(id -> id.digest().equals(digest)).map(CosignFormat.Identity::dockerReference);
    }

    /** A registry call tried {@code kiln.messaging.retry.attempts} times while it fails transiently (shared backoff). */
    private <T> T retrying(Supplier<T> action) {
        return policy.bounded("registry call", action);
    }

    private static BuildFailed failure(String buildId, String reason, boolean transientFailure, String message) {
        return new BuildFailed(buildId, Stage.SIGNING, reason, message, transientFailure, Instant.now());
    }
}
