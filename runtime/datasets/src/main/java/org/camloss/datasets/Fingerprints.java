package org.camloss.datasets;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
import java.util.TreeMap;

/** SHA-256 fingerprints of data read and the parameters that selected it. */
final class Fingerprints {
    private Fingerprints() {}

    static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }

    /** Adds the parameters (sorted) and returns the hex digest. */
    static String finish(MessageDigest digest, String kind, Map<String, Object> params) {
        digest.update((kind + ";" + new TreeMap<>(params)).getBytes(StandardCharsets.UTF_8));
        return HexFormat.of().formatHex(digest.digest());
    }
}
