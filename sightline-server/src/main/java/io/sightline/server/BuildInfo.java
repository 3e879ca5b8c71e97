package io.sightline.server;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;

/**
 * What the build baked in (resource {@code build.properties}, filtered by Maven): the version, and the git
 * revision, branch and time of the build (buildnumber-maven-plugin; "unknown" for a build outside a git checkout,
 * or run from the classes of an IDE that did not filter the resource).
 */
public final class BuildInfo {
    private static final Properties PROPERTIES = load();

    private BuildInfo() {}

    public static String version() {
        return get("version");
    }

    /** The commit built from, its full hash. */
    public static String revision() {
        return get("revision");
    }

    public static String branch() {
        return get("branch");
    }

    /** When it was built, as Prometheus writes it: {@code yyyyMMdd-HH:mm:ss}. */
    public static String buildDate() {
        return get("buildDate");
    }

    private static String get(String key) {
        String v = PROPERTIES.getProperty(key, "unknown");
        return v.isEmpty() || v.startsWith("${") || v.equals("UNKNOWN_BRANCH") ? "unknown" : v;
    }

    private static Properties load() {
        Properties p = new Properties();
        try (InputStream in = BuildInfo.class.getResourceAsStream("build.properties")) {
            if (in != null) {
                p.load(in);
            }
        } catch (IOException e) {
            // every field reads "unknown"
        }
        return p;
    }
}
