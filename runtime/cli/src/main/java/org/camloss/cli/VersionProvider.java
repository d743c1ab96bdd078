package org.camloss.cli;

import org.camloss.runtime.run.Versions;
import picocli.CommandLine;

/** {@code camloss --version}. */
final class VersionProvider implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
        return new String[] {
            "camloss " + Versions.camloss() + " (DL4J " + Versions.dl4j() + ", Java "
                    + System.getProperty("java.version") + ")"
        };
    }
}
