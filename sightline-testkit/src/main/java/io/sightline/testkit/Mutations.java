package io.sightline.testkit;

import java.util.Random;

/** Random edits of valid inputs, for property tests of parsers: what comes out must be parsed or refused cleanly. */
public final class Mutations {
    private Mutations() {}

    /** {@code base} with 1 to 3 random deletions, insertions or replacements drawn from {@code alphabet}. */
    public static String mutate(Random random, String base, String alphabet) {
        StringBuilder sb = new StringBuilder(base);
        int edits = 1 + random.nextInt(3);
        for (int k = 0; k < edits && sb.length() > 0; k++) {
            int p = random.nextInt(sb.length());
            switch (random.nextInt(3)) {
                case 0 -> sb.deleteCharAt(p);
                case 1 -> sb.insert(p, alphabet.charAt(random.nextInt(alphabet.length())));
                default -> sb.setCharAt(p, alphabet.charAt(random.nextInt(alphabet.length())));
            }
        }
        return sb.toString();
    }
}
