// Ground truth for tests/properties_oracle.rs: load every file of a directory with
// java.util.Properties.load(InputStream) (what TorchServe's ConfigManager calls) and print
// each key and value as hex UTF-16 code units, sorted, or ERROR when load throws.
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.stream.Stream;

public class PropDump {
    public static void main(String[] args) throws Exception {
        StringBuilder out = new StringBuilder();
        List<Path> files;
        try (Stream<Path> s = Files.list(Path.of(args[0]))) {
            files = s.sorted().toList();
        }
        for (Path f : files) {
            out.append("FILE ").append(f.getFileName()).append('\n');
            Properties p = new Properties();
            try (InputStream in = Files.newInputStream(f)) {
                p.load(in);
                Map<String, String> sorted = new TreeMap<>();
                for (String k : p.stringPropertyNames()) {
                    sorted.put(k, p.getProperty(k));
                }
                for (Map.Entry<String, String> e : sorted.entrySet()) {
                    out.append("K ").append(hex(e.getKey())).append(" V ").append(hex(e.getValue())).append('\n');
                }
            } catch (IllegalArgumentException e) {
                out.append("ERROR\n");
            }
        }
        System.out.print(out);
    }

    static String hex(String s) {
        StringBuilder b = new StringBuilder();
        for (char c : s.toCharArray()) {
            b.append(String.format("%04x", (int) c));
        }
        return b.toString();
    }
}
