package io.sluice.benchmarks.load;

/** The email arguments of existUser, made once so no system pays for building them in the call loop. */
public final class Emails {
    private static final String[] EMAILS = new String[1024];

    static {
        for (int i = 0; i < EMAILS.length; i++) {
            EMAILS[i] = "user" + i + "@example.com";
        }
    }

    private Emails() {
    }

    public static String of(long i) {
        return EMAILS[(int) (i & (EMAILS.length - 1))];
    }
}
