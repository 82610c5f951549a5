package io.sluice.benchmarks.compare;

import java.io.IOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

/**
 * Checks that a process listens on loopback addresses only, from Linux's own tables: the socket inodes in
 * {@code /proc/<pid>/fd} matched against the listening entries of {@code /proc/net/tcp} and {@code tcp6} (the same
 * facts {@code ss -ltnp} prints). Where /proc is missing (not Linux) the check is skipped. Stateless; thread-safe.
 */
final class LoopbackCheck {
    private static final String LISTEN = "0A";

    private LoopbackCheck() {
    }

    /** The addresses {@code pid} listens on; fails naming any that is not a loopback address. */
    static List<String> requireLoopbackOnly(String name, long pid) throws IOException {
        Path fds = Path.of("/proc", Long.toString(pid), "fd");
        if (!Files.isDirectory(Path.of("/proc/net"))) {
            return List.of("(not checked: no /proc)");
        }
        Set<String> inodes = new HashSet<>();
        try (Stream<Path> links = Files.list(fds)) {
            for (Path link : (Iterable<Path>) links::iterator) {
                try {
                    String target = Files.readSymbolicLink(link).toString();
                    if (target.startsWith("socket:[")) {
                        inodes.add(target.substring(8, target.length() - 1));
                    }
                } catch (IOException ignored) {
                    // the descriptor closed meanwhile
                }
            }
        }
        List<String> listening = new ArrayList<>();
        List<String> exposed = new ArrayList<>();
        for (String table : List.of("/proc/net/tcp", "/proc/net/tcp6")) {
            Path file = Path.of(table);
            if (!Files.exists(file)) {
                continue;
            }
            List<String> lines = Files.readAllLines(file);
            for (String line : lines.subList(1, lines.size())) {
                String[] f = line.trim().split("\\s+");
                if (f.length > 9 && LISTEN.equals(f[3]) && inodes.contains(f[9])) {
                    InetAddress address = address(f[1].substring(0, f[1].indexOf(':')));
                    int port = Integer.parseInt(f[1].substring(f[1].indexOf(':') + 1), 16);
                    String text = address.getHostAddress() + ":" + port;
                    listening.add(text);
                    if (!address.isLoopbackAddress()) {
                        exposed.add(text);
                    }
                }
            }
        }
        if (!exposed.isEmpty()) {
            throw new IllegalStateException(name + " (pid " + pid + ") listens on non-loopback addresses " + exposed
                    + "; the comparison binds 127.0.0.1 only");
        }
        return listening;
    }

    /** Decodes /proc/net's hex address: 32-bit words in host (little-endian) byte order. */
    private static InetAddress address(String hex) throws UnknownHostException {
        byte[] bytes = new byte[hex.length() / 2];
        for (int word = 0; word < bytes.length / 4; word++) {
            for (int b = 0; b < 4; b++) {
                int at = (word * 4 + (3 - b)) * 2;
                bytes[word * 4 + b] = (byte) Integer.parseInt(hex.substring(at, at + 2), 16);
            }
        }
        return InetAddress.getByAddress(bytes);
    }
}
