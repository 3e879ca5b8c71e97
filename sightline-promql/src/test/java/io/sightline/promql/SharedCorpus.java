package io.sightline.promql;

import java.nio.file.Files;
import java.nio.file.Path;

/** Where ../shared/conformance/promql is: beside the project root (the directory holding mvnw). */
public final class SharedCorpus {

    private SharedCorpus() {}

    /** The corpus directory, or null when the project has no ../shared beside it (a user's clone). */
    public static Path directory() {
        Path p = Path.of("").toAbsolutePath();
        while (p != null && !Files.exists(p.resolve("mvnw"))) {
            p = p.getParent();
        }
        if (p == null || p.getParent() == null) {
            return null;
        }
        Path dir = p.getParent().resolve("shared/conformance/promql");
        return Files.isDirectory(dir) ? dir : null;
    }
}
