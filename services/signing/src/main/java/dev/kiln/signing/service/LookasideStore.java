package dev.kiln.signing.service;

import dev.kiln.signing.store.SigningDatabase;
import dev.kiln.support.verify.SimpleSigningFormat;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.Optional;

/** Simple signatures by lookaside path, from PostgreSQL. */
@ApplicationScoped
public class LookasideStore {
    @Inject
    SigningDatabase database;

    /** The signature at {@code <repository>@sha256=<hex>/signature-<N>}; empty when there is none or the path is not one. */
    public Optional<byte[]> signature(String path) {
        return SimpleSigningFormat.parseLookasidePath(path)
                .flatMap(p -> database.lookaside(p.repository(), p.digest(), p.index()));
    }
}
