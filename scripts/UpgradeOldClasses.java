import java.io.IOException;
import java.io.InputStream;
import java.lang.classfile.ClassFile;
import java.lang.classfile.ClassFileVersion;
import java.lang.classfile.ClassHierarchyResolver;
import java.lang.classfile.ClassModel;
import java.lang.classfile.ClassTransform;
import java.lang.classfile.CodeTransform;
import java.lang.constant.ClassDesc;
import java.net.URI;
import java.nio.file.FileSystem;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * {@code java scripts/UpgradeOldClasses.java DIR}: rewrites the class files older than Java 6 (version 50) in the jars
 * of DIR (picocli's are Java 5) as Java 8 class files, in place: same bytecode, plus the stack map frames the type
 * checking verifier needs.
 *
 * <p>Why: the JVM's AOT cache cannot hold a Java 5 class once it has been linked (the old verifier leaves nothing the
 * cache could check again at run time), so each of picocli's ~170 classes was read from its jar and verified by the old
 * verifier at every {@code tunctl} start. A jar is changed only if every rewritten class passes the ClassFile API's
 * verifier; otherwise it is left as it was and a line says why. Running this again does nothing.
 */
public final class UpgradeOldClasses {
    private static final int JAVA_6 = ClassFile.JAVA_6_VERSION, TARGET = ClassFile.JAVA_8_VERSION;

    private UpgradeOldClasses() {}

    public static void main(String[] args) throws IOException {
        if (args.length != 1) {
            System.err.println("usage: java UpgradeOldClasses.java DIR");
            System.exit(2);
        }
        List<Path> jars;
        try (Stream<Path> s = Files.list(Path.of(args[0]))) {
            jars = s.filter(p -> p.toString().endsWith(".jar")).sorted().toList();
        }
        for (Path jar : jars) upgrade(jar);
    }

    private static void upgrade(Path jar) throws IOException {
        try (FileSystem fs = FileSystems.newFileSystem(URI.create("jar:" + jar.toUri()), Map.of())) {
            Map<Path, ClassModel> old = new LinkedHashMap<>();
            ClassFile plain = ClassFile.of();
            try (Stream<Path> s = Files.walk(fs.getPath("/"))) {
                for (Path p : s.filter(p -> p.toString().endsWith(".class")).toList()) {
                    ClassModel m = plain.parse(Files.readAllBytes(p));
                    if (m.majorVersion() < JAVA_6) old.put(p, m);
                }
            }
            if (old.isEmpty()) return;
            // stack maps need common supertypes: the JDK's classes, then this jar's own (the versioned root is not read)
            ClassHierarchyResolver resolver = ClassHierarchyResolver.defaultResolver()
                    .orElse(ClassHierarchyResolver.ofResourceParsing(d -> open(fs, d)));
            ClassFile cf = ClassFile.of(ClassFile.StackMapsOption.GENERATE_STACK_MAPS,
                    ClassFile.ClassHierarchyResolverOption.of(resolver));
            ClassTransform transform = ((ClassTransform) (b, e) -> {
                if (e instanceof ClassFileVersion) b.withVersion(TARGET, 0);
                else b.with(e);
            }).andThen(ClassTransform.transformingMethodBodies(CodeTransform.ACCEPT_ALL)); // rebuilt, so with frames
            Map<Path, byte[]> upgraded = new LinkedHashMap<>();
            for (var e : old.entrySet()) {
                byte[] bytes;
                try {
                    bytes = cf.transformClass(e.getValue(), transform);
                } catch (IllegalArgumentException | IllegalStateException x) { // e.g. jsr/ret, an unknown supertype
                    System.out.println("UpgradeOldClasses: " + jar.getFileName() + ": left as is: " + e.getKey() + ": " + x);
                    return;
                }
                var errors = cf.verify(bytes);
                if (!errors.isEmpty()) {
                    System.out.println("UpgradeOldClasses: " + jar.getFileName() + ": left as is: " + e.getKey()
                            + " does not verify: " + errors.getFirst().getMessage());
                    return;
                }
                upgraded.put(e.getKey(), bytes);
            }
            for (var e : upgraded.entrySet()) Files.write(e.getKey(), e.getValue());
            // the jar is now newer than the AOT cache, which scripts/aot-cache.sh (run after this) therefore remakes
            System.out.println("UpgradeOldClasses: " + jar.getFileName() + ": " + upgraded.size()
                    + " classes now Java 8 class files");
        }
    }

    private static InputStream open(FileSystem fs, ClassDesc d) {
        String internal = d.descriptorString();
        Path p = fs.getPath("/" + internal.substring(1, internal.length() - 1) + ".class");
        try {
            return Files.exists(p) ? Files.newInputStream(p) : null;
        } catch (IOException e) {
            return null;
        }
    }
}
