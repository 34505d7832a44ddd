package dev.sluice.testkit;

import dev.sluice.testkit.broker.BrokerMain;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.JarURLConnection;
import java.net.URISyntaxException;
import java.net.URL;
import java.net.URLConnection;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;

/**
 * The classpath of the child broker JVM: the jar (or classes directory) holding BrokerMain, then
 * the Kafka 4 jars that the sluice-testkit-broker build recorded in
 * {@value BrokerMain#CLASSPATH_RESOURCE} as absolute paths into the local Maven repository.
 *
 * <p>Only resources are read here. BrokerMain itself is never loaded into this JVM: its
 * constants are compile-time constants, and loading it would drag Kafka 4 classes in next to the
 * application's kafka-clients 3.
 */
final class BrokerClasspath {

    private static final String MAIN_CLASS_RESOURCE = BrokerMain.MAIN_CLASS.replace('.', '/') + ".class";

    private BrokerClasspath() {}

    static String resolve() {
        ClassLoader loader = BrokerClasspath.class.getClassLoader();
        URL mainClass = loader.getResource(MAIN_CLASS_RESOURCE);
        if (mainClass == null) {
            throw new IllegalStateException(
                    "sluice-testkit-broker is not on the classpath: " + MAIN_CLASS_RESOURCE + " not found");
        }
        Path container = containerOf(mainClass);
        List<String> entries = new ArrayList<>();
        entries.add(container.toString());
        List<String> missing = new ArrayList<>();
        for (String entry : read(container).split(File.pathSeparator)) {
            String jar = entry.trim();
            if (jar.isEmpty()) {
                continue;
            }
            if (!Files.exists(Path.of(jar))) {
                missing.add(jar);
            }
            entries.add(jar);
        }
        if (entries.size() == 1) {
            throw new IllegalStateException(BrokerMain.CLASSPATH_RESOURCE + " in " + container + " is empty");
        }
        if (!missing.isEmpty()) {
            throw new IllegalStateException("the Kafka broker's jars recorded when sluice-testkit-broker was built"
                    + " are not in the local Maven repository (rebuild sluice-testkit-broker on this machine);"
                    + " missing " + missing.size() + ", first: " + missing.get(0));
        }
        return String.join(File.pathSeparator, entries);
    }

    /** The jar file or classes directory that a class resource was loaded from. */
    private static Path containerOf(URL resource) {
        try {
            if ("jar".equals(resource.getProtocol())) {
                URLConnection connection = resource.openConnection();
                return Path.of(((JarURLConnection) connection).getJarFileURL().toURI());
            }
            if ("file".equals(resource.getProtocol())) {
                Path path = Path.of(resource.toURI());
                int depth = MAIN_CLASS_RESOURCE.split("/").length;
                for (int i = 0; i < depth; i++) {
                    path = path.getParent();
                }
                return path;
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot locate sluice-testkit-broker from " + resource, e);
        } catch (URISyntaxException e) {
            throw new IllegalStateException("cannot locate sluice-testkit-broker from " + resource, e);
        }
        throw new IllegalStateException("sluice-testkit-broker must be a jar or a directory, not " + resource);
    }

    /** Reads the recorded classpath from the same container, never from another copy on the classpath. */
    private static String read(Path container) {
        try {
            if (Files.isDirectory(container)) {
                return Files.readString(container.resolve(BrokerMain.CLASSPATH_RESOURCE), StandardCharsets.UTF_8);
            }
            try (JarFile jar = new JarFile(container.toFile())) {
                JarEntry entry = jar.getJarEntry(BrokerMain.CLASSPATH_RESOURCE);
                if (entry == null) {
                    throw new IllegalStateException(container + " has no " + BrokerMain.CLASSPATH_RESOURCE);
                }
                try (InputStream in = jar.getInputStream(entry)) {
                    return new String(in.readAllBytes(), StandardCharsets.UTF_8);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + BrokerMain.CLASSPATH_RESOURCE + " from " + container, e);
        }
    }
}
