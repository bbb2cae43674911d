package dev.kiln.support.attest;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kiln.support.verify.CosignKeys;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Optional;

/**
 * Dead Simple Signing Envelopes (DSSE v1, what in-toto attestations and cosign's {@code .att} layers are): a payload,
 * its type, and signatures over the pre-authentication encoding
 * {@code PAE(type, body) = "DSSEv1" SP LEN(type) SP type SP LEN(body) SP body}, made with ECDSA P-256 / SHA-256 (DER,
 * the signature cosign makes and {@code openssl dgst -sha256 -verify} checks). A key is named by its cosign key id.
 */
public final class Dsse {
    /** The payload type of an in-toto Statement. */
    public static final String IN_TOTO = "application/vnd.in-toto+json";
    private static final ObjectMapper JSON = new ObjectMapper();

    private Dsse() {
    }

    /** One signature of an envelope: the key's id and the base64 DER signature over the PAE. */
    public record Sig(String keyId, String sig) {
    }

    /** An envelope as it travels: {@code {"payloadType", "payload" (base64), "signatures": [{"keyid", "sig"}]}}. */
    public record Envelope(String payloadType, byte[] payload, List<Sig> signatures) {
        public Envelope {
            signatures = List.copyOf(signatures);
        }

        /** The envelope's JSON, serialised once (the bytes of a {@code .att} layer). */
        public byte[] json() {
            ObjectNode root = JSON.createObjectNode();
            root.put("payloadType", payloadType);
            root.put("payload", Base64.getEncoder().encodeToString(payload));
            var sigs = root.putArray("signatures");
            for (Sig s : signatures) {
                sigs.addObject().put("keyid", s.keyId()).put("sig", s.sig());
            }
            try {
                return JSON.writeValueAsBytes(root);
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        }

        /**
         * The id of the first of {@code keys} that made a valid signature over this envelope's PAE; empty when none
         * did (no signature, another key, a changed payload or type).
         */
        public Optional<String> verifiedBy(List<PublicKey> keys) {
            byte[] pae = pae(payloadType, payload);
            for (Sig s : signatures) {
                for (PublicKey k : keys) {
                    if (CosignKeys.verify(k, pae, s.sig())) {
                        return Optional.of(CosignKeys.keyId(k));
                    }
                }
            }
            return Optional.empty();
        }
    }

    /** The pre-authentication encoding the signatures cover. */
    public static byte[] pae(String payloadType, byte[] payload) {
        byte[] type = payloadType.getBytes(StandardCharsets.UTF_8);
        byte[] head = ("DSSEv1 " + type.length + " " + payloadType + " " + payload.length + " ")
                .getBytes(StandardCharsets.UTF_8);
        byte[] out = new byte[head.length + payload.length];
        System.arraycopy(head, 0, out, 0, head.length);
        System.arraycopy(payload, 0, out, head.length, payload.length);
        return out;
    }

    /** An envelope of {@code payload} signed by {@code key} (EC P-256), named by {@code publicKey}'s cosign key id. */
    public static Envelope sign(String payloadType, byte[] payload, PrivateKey key, PublicKey publicKey) {
        try {
            Signature s = Signature.getInstance(CosignKeys.SIGNATURE_ALGORITHM, CosignKeys.BC);
            s.initSign(key);
            s.update(pae(payloadType, payload));
            return new Envelope(payloadType, payload.clone(),
                    List.of(new Sig(CosignKeys.keyId(publicKey), Base64.getEncoder().encodeToString(s.sign()))));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot sign the envelope: " + e.getMessage(), e);
        }
    }

    /** Reads an envelope's JSON; IllegalArgumentException with the reason when it is not one. */
    public static Envelope parse(byte[] json) {
        JsonNode root;
        try {
            root = JSON.readTree(json);
        } catch (IOException e) {
            throw new IllegalArgumentException("the DSSE envelope is not JSON");
        }
        if (root == null || !root.path("payloadType").isTextual() || !root.path("payload").isTextual()) {
            throw new IllegalArgumentException("the DSSE envelope has no payloadType or payload");
        }
        byte[] payload;
        try {
            payload = Base64.getDecoder().decode(root.path("payload").asText());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("the DSSE envelope's payload is not base64");
        }
        List<Sig> sigs = new ArrayList<>();
        for (JsonNode s : root.path("signatures")) {
            sigs.add(new Sig(s.path("keyid").asText(""), s.path("sig").asText("")));
        }
        return new Envelope(root.path("payloadType").asText(), payload, sigs);
    }
}
