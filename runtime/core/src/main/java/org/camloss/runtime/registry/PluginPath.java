package org.camloss.runtime.registry;

import java.io.IOException;
import java.net.MalformedURLException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.camloss.api.UserException;

/**
 * Plugin jars beyond the class path: each entry is a jar, a directory of jars, or a class directory with a
 * {@code META-INF/services} folder. {@link #classLoader} loads them in a child of camloss's own class loader, so
 * their factories are found with {@link java.util.ServiceLoader} like the built-in ones.
 */
public final class PluginPath {
    private PluginPath() {}

    /**
     * One entry of a plugin path.
     *
     * @param path     a jar, a directory of jars, or a class directory
     * @param origin   where the entry was given, for messages, e.g. {@code --plugins} or {@code CAMLOSS_PLUGINS}
     * @param optional whether a missing or empty directory is skipped (the {@code plugins/} folder beside the
     *                 launcher) instead of refused
     */
    public record Entry(Path path, String origin, boolean optional) {
        /** A required entry. */
        public Entry(Path path, String origin) {
            this(path, origin, false);
        }
    }

    /**
     * The jars and class directories of {@code entries}, in order (a directory of jars in name order).
     *
     * @throws UserException naming the entry and where it was given when it does not exist, is a file that is not a
     *     jar, or is a directory with neither jars nor {@code META-INF/services}
     */
    public static List<Path> expand(List<Entry> entries) {
        List<Path> out = new ArrayList<>();
        for (Entry e : entries) {
            Path p = e.path();
            String where = e.origin() + " " + p;
            if (!Files.exists(p) && e.optional()) {
                continue;
            }
            if (!Files.exists(p)) {
                throw new UserException(where + ": does not exist; give a plugin jar or a directory of jars");
            }
            if (Files.isRegularFile(p)) {
                if (!p.getFileName().toString().endsWith(".jar")) {
                    throw new UserException(where + ": is not a .jar file; give a plugin jar or a directory of jars");
                }
                out.add(p);
                continue;
            }
            if (Files.isDirectory(p.resolve("META-INF/services"))) {
                out.add(p);
                continue;
            }
            List<Path> jars;
            try (Stream<Path> s = Files.list(p)) {
                jars = s.filter(f -> f.getFileName().toString().endsWith(".jar") && Files.isRegularFile(f))
                        .sorted()
                        .toList();
            } catch (IOException ex) {
                throw new UserException(where + ": cannot be read (" + ex.getMessage() + ")");
            }
            if (jars.isEmpty() && !e.optional()) {
                throw new UserException(where + ": holds no .jar files and no META-INF/services folder");
            }
            out.addAll(jars);
        }
        return out;
    }

    /**
     * A class loader over the plugin path's jars whose parent is {@code parent}; {@code parent} itself when there are
     * none.
     *
     * @throws UserException as {@link #expand}
     */
    public static ClassLoader classLoader(List<Entry> entries, ClassLoader parent) {
        List<Path> paths = expand(entries);
        if (paths.isEmpty()) {
            return parent;
        }
        URL[] urls = new URL[paths.size()];
        for (int i = 0; i < urls.length; i++) {
            try {
                urls[i] = paths.get(i).toUri().toURL();
            } catch (MalformedURLException ex) {
                throw new UserException(paths.get(i) + ": not a usable plugin path (" + ex.getMessage() + ")");
            }
        }
        return new URLClassLoader("camloss-plugins", urls, parent);
    }
}
