package io.sightline.common.archfixture;

import io.sightline.server.StartupException;

/**
 * A deliberate layering violation, only in test sources: proves that {@code LayeringTest}'s rules fail
 * when common code reaches into the server. Never imported by the main rules.
 */
public final class CommonThatImportsServer {
    private CommonThatImportsServer() {}

    public static Exception violation() {
        return new StartupException("common must not know the server");
    }
}
