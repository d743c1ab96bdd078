package org.camloss.runtime.run;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;

/** Versions of camloss and DL4J this build was made with. */
public final class Versions {
    private static final Properties PROPS = load();

    private Versions() {}

    private static Properties load() {
        Properties p = new Properties();
        try (InputStream in = Versions.class.getResourceAsStream("/camloss-version.properties")) {
            if (in != null) {
                p.load(in);
            }
        } catch (IOException e) {
            // an unreadable resource leaves the versions "unknown"
        }
        return p;
    }

    /** camloss's version. */
    public static String camloss() {
        return PROPS.getProperty("camloss.version", "unknown");
    }

    /** DL4J's version. */
    public static String dl4j() {
        return PROPS.getProperty("dl4j.version", "unknown");
    }
}
