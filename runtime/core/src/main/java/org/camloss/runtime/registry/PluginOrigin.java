package org.camloss.runtime.registry;

import java.io.IOException;
import java.io.InputStream;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.CodeSource;
import java.util.Map;
import java.util.jar.JarFile;
import java.util.jar.Manifest;

/**
 * Where a plugin class came from: its jar (or class directory) and that jar's version, for provenance and messages.
 *
 * @param location the jar or directory the class was loaded from, or {@code "unknown"}
 * @param version  the jar's {@code Implementation-Version} (or the {@code version} of its Maven
 *                 {@code pom.properties}), or {@code "unknown"}
 */
public record PluginOrigin(String location, String version) {
    /** The value of a field that could not be found out. */
    public static final String UNKNOWN = "unknown";

    /** The origin of {@code type}. */
    public static PluginOrigin of(Class<?> type) {
        CodeSource source = type.getProtectionDomain().getCodeSource();
        if (source == null || source.getLocation() == null) {
            return new PluginOrigin(UNKNOWN, UNKNOWN);
        }
        Path path;
        try {
            path = Path.of(source.getLocation().toURI());
        } catch (URISyntaxException | IllegalArgumentException e) {
            return new PluginOrigin(source.getLocation().toString(), UNKNOWN);
        }
        return new PluginOrigin(path.toString(), version(path));
    }

    /** This origin as a provenance entry. */
    public Map<String, Object> toMap() {
        Map<String, Object> m = new java.util.LinkedHashMap<>();
        m.put("jar", location);
        m.put("version", version);
        return m;
    }

    private static String version(Path path) {
        if (!Files.isRegularFile(path)) {
            return UNKNOWN;
        }
        try (JarFile jar = new JarFile(path.toFile())) {
            Manifest m = jar.getManifest();
            String v = m == null ? null : m.getMainAttributes().getValue("Implementation-Version");
            if (v != null && !v.isBlank()) {
                return v;
            }
            var entries = jar.entries();
            while (entries.hasMoreElements()) {
                var e = entries.nextElement();
                if (e.getName().startsWith("META-INF/maven/") && e.getName().endsWith("/pom.properties")) {
                    java.util.Properties p = new java.util.Properties();
                    try (InputStream in = jar.getInputStream(e)) {
                        p.load(in);
                    }
                    return p.getProperty("version", UNKNOWN);
                }
            }
        } catch (IOException e) {
            return UNKNOWN;
        }
        return UNKNOWN;
    }

    /** The jar or directory holding {@code url}'s resource ({@code jar:file:/x.jar!/META-INF/...} → {@code /x.jar}). */
    static String containerOf(URL url) {
        String s = url.toString();
        if (s.startsWith("jar:")) {
            s = s.substring(4, s.indexOf("!/") > 0 ? s.indexOf("!/") : s.length());
        } else if (s.contains("/META-INF/")) {
            s = s.substring(0, s.indexOf("/META-INF/")); // a class directory
        }
        try {
            return Path.of(new URL(s).toURI()).toString();
        } catch (IOException | URISyntaxException | IllegalArgumentException e) {
            return s;
        }
    }
}
