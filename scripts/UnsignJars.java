import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.nio.file.FileSystem;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.jar.Attributes;
import java.util.jar.Manifest;
import java.util.stream.Stream;

/**
 * {@code java scripts/UnsignJars.java DIR}: makes the signed jars in DIR (BouncyCastle's bcprov) plain jars, in place:
 * drops the signature files and the manifest's per-entry digests, keeps its main section.
 *
 * <p>Why: the JVM scans every jar of the module path at each start, and for a signed jar that means parsing its
 * manifest and signature file (bcprov's: 0.8 MB each, one section per class) and verifying a PKCS#7 signature, which
 * loads about 170 {@code sun.security} classes and keeps the parsed manifest alive. tunctl uses BouncyCastle's
 * lightweight API, not the JCE provider, so nothing checks the signature. A jar without signature files is left as it
 * is, so running this again does nothing.
 */
public final class UnsignJars {
    private UnsignJars() {}

    public static void main(String[] args) throws IOException {
        if (args.length != 1) {
            System.err.println("usage: java UnsignJars.java DIR");
            System.exit(2);
        }
        List<Path> jars;
        try (Stream<Path> s = Files.list(Path.of(args[0]))) {
            jars = s.filter(p -> p.toString().endsWith(".jar")).sorted().toList();
        }
        for (Path jar : jars) unsign(jar);
    }

    private static boolean isSignatureFile(String name) {
        String n = name.toUpperCase(java.util.Locale.ROOT);
        if (!n.startsWith("/META-INF/") || n.indexOf('/', "/META-INF/".length()) >= 0) return false;
        return n.endsWith(".SF") || n.endsWith(".RSA") || n.endsWith(".DSA") || n.endsWith(".EC");
    }

    private static void unsign(Path jar) throws IOException {
        boolean changed = false;
        try (FileSystem fs = FileSystems.newFileSystem(URI.create("jar:" + jar.toUri()), Map.of())) {
            Path metaInf = fs.getPath("/META-INF");
            if (!Files.isDirectory(metaInf)) return;
            List<Path> signatures;
            try (Stream<Path> s = Files.list(metaInf)) {
                signatures = s.filter(p -> isSignatureFile(p.toString())).toList();
            }
            if (signatures.isEmpty()) return;
            for (Path p : signatures) Files.delete(p);
            Path mf = metaInf.resolve("MANIFEST.MF");
            if (Files.exists(mf)) {
                Manifest old;
                try (var in = Files.newInputStream(mf)) {
                    old = new Manifest(in);
                }
                Manifest m = new Manifest();
                m.getMainAttributes().putAll(old.getMainAttributes());
                m.getMainAttributes().putIfAbsent(Attributes.Name.MANIFEST_VERSION, "1.0");
                var out = new ByteArrayOutputStream();
                m.write(out);
                Files.write(mf, out.toByteArray());
            }
            changed = true;
        }
        // the jar is now newer than the AOT cache, which scripts/aot-cache.sh (run after this) therefore remakes
        if (changed) {
            System.out.println("UnsignJars: " + jar.getFileName() + ": signature removed");
        }
    }
}
