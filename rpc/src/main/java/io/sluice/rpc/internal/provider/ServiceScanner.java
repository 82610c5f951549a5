package io.sluice.rpc.internal.provider;

import io.sluice.remoting.ErrorCode;
import io.sluice.remoting.SluiceException;
import io.sluice.rpc.RpcService;

import java.io.IOException;
import java.lang.reflect.Constructor;
import java.lang.reflect.Modifier;
import java.net.JarURLConnection;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.List;
import java.util.TreeSet;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.stream.Stream;

/**
 * Finds the {@link RpcService} classes of a package (and its sub-packages) on the classpath, in directories and
 * jars, and instantiates each through its no-argument constructor. Stateless.
 */
public final class ServiceScanner {
    private ServiceScanner() {
    }

    /** New instances of every concrete {@code @RpcService} class under {@code packageName}, in name order. */
    public static List<Object> instantiate(String packageName, ClassLoader loader) {
        List<Object> out = new ArrayList<>();
        for (String name : classNames(packageName, loader)) {
            Class<?> type;
            try {
                type = Class.forName(name, false, loader);
            } catch (ClassNotFoundException | LinkageError e) {
                continue;
            }
            if (!type.isAnnotationPresent(RpcService.class) || type.isInterface()
                    || Modifier.isAbstract(type.getModifiers())) {
                continue;
            }
            try {
                Constructor<?> ctor = type.getDeclaredConstructor();
                ctor.setAccessible(true);
                out.add(ctor.newInstance());
            } catch (ReflectiveOperationException | RuntimeException e) {
                throw new SluiceException(ErrorCode.INVALID_CONFIG, "cannot create @RpcService " + name
                        + ": it needs a no-argument constructor (" + e + ")", e);
            }
        }
        return out;
    }

    static TreeSet<String> classNames(String packageName, ClassLoader loader) {
        String path = packageName.replace('.', '/');
        TreeSet<String> names = new TreeSet<>();
        try {
            Enumeration<URL> roots = loader.getResources(path);
            while (roots.hasMoreElements()) {
                URL root = roots.nextElement();
                if ("file".equals(root.getProtocol())) {
                    fromDirectory(Paths.get(root.toURI()), packageName, names);
                } else if ("jar".equals(root.getProtocol())) {
                    fromJar(((JarURLConnection) root.openConnection()).getJarFile(), path, names);
                }
            }
        } catch (IOException | URISyntaxException e) {
            throw new SluiceException(ErrorCode.INVALID_CONFIG, "cannot scan package " + packageName + ": " + e, e);
        }
        return names;
    }

    private static void fromDirectory(Path dir, String packageName, TreeSet<String> names) throws IOException {
        try (Stream<Path> files = Files.walk(dir)) {
            files.filter(p -> p.toString().endsWith(".class") && !p.getFileName().toString().contains("$"))
                    .forEach(p -> {
                        String relative = dir.relativize(p).toString().replace(p.getFileSystem().getSeparator(), ".");
                        names.add(packageName + "." + relative.substring(0, relative.length() - ".class".length()));
                    });
        }
    }

    private static void fromJar(JarFile jar, String path, TreeSet<String> names) {
        Enumeration<JarEntry> entries = jar.entries();
        while (entries.hasMoreElements()) {
            String entry = entries.nextElement().getName();
            if (entry.startsWith(path + "/") && entry.endsWith(".class") && !entry.contains("$")) {
                names.add(entry.substring(0, entry.length() - ".class".length()).replace('/', '.'));
            }
        }
    }
}
