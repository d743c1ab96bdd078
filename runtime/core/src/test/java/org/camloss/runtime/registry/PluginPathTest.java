package org.camloss.runtime.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.camloss.api.UserException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Plugin paths: jars, directories of jars, class directories, and every bad entry named with its origin. */
class PluginPathTest {
    @TempDir
    Path tmp;

    @Test
    void jarsDirectoriesOfJarsAndClassDirectories() throws IOException {
        Path jar = Files.createFile(tmp.resolve("a.jar"));
        Path dir = Files.createDirectories(tmp.resolve("lib"));
        Path b = Files.createFile(dir.resolve("b.jar"));
        Path c = Files.createFile(dir.resolve("c.jar"));
        Files.createFile(dir.resolve("notes.txt"));
        Path classes = Files.createDirectories(tmp.resolve("classes/META-INF/services"))
                .getParent()
                .getParent();
        assertEquals(
                List.of(jar, b, c, classes),
                PluginPath.expand(List.of(
                        new PluginPath.Entry(jar, "--plugins"),
                        new PluginPath.Entry(dir, "CAMLOSS_PLUGINS"),
                        new PluginPath.Entry(classes, "--plugins"))));
    }

    @Test
    void everyBadEntryIsNamedWithWhereItWasGiven() throws IOException {
        Path missing = tmp.resolve("nope.jar");
        assertEquals(
                "--plugins " + missing + ": does not exist; give a plugin jar or a directory of jars",
                assertThrows(
                                UserException.class,
                                () -> PluginPath.expand(List.of(new PluginPath.Entry(missing, "--plugins"))))
                        .getMessage());
        Path text = Files.createFile(tmp.resolve("plugin.zip"));
        assertEquals(
                "CAMLOSS_PLUGINS " + text + ": is not a .jar file; give a plugin jar or a directory of jars",
                assertThrows(
                                UserException.class,
                                () -> PluginPath.expand(List.of(new PluginPath.Entry(text, "CAMLOSS_PLUGINS"))))
                        .getMessage());
        Path empty = Files.createDirectories(tmp.resolve("empty"));
        assertEquals(
                "--plugins " + empty + ": holds no .jar files and no META-INF/services folder",
                assertThrows(
                                UserException.class,
                                () -> PluginPath.expand(List.of(new PluginPath.Entry(empty, "--plugins"))))
                        .getMessage());
    }

    @Test
    void theOptionalPluginsDirectoryMayBeMissingOrEmpty() throws IOException {
        Path empty = Files.createDirectories(tmp.resolve("plugins"));
        List<PluginPath.Entry> entries = List.of(
                new PluginPath.Entry(tmp.resolve("absent"), "plugins directory", true),
                new PluginPath.Entry(empty, "plugins directory", true));
        assertEquals(List.of(), PluginPath.expand(entries));
        ClassLoader parent = getClass().getClassLoader();
        assertSame(parent, PluginPath.classLoader(entries, parent));
    }
}
