package io.sluice.remoting;

/**
 * The one exception type of Sluice: an {@link ErrorCode} and a message that says what went wrong and, where it
 * helps, what to do (e.g. the valid offset range, the config key that is wrong).
 */
public class SluiceException extends RuntimeException {
    private final ErrorCode code;

    public SluiceException(ErrorCode code, String message) {
        super(message == null ? code.defaultMessage() : message, null, true, true);
        this.code = code;
    }

    public SluiceException(ErrorCode code, String message, Throwable cause) {
        super(message == null ? code.defaultMessage() : message, cause);
        this.code = code;
    }

    public ErrorCode code() {
        return code;
    }

    public boolean retriable() {
        return code.retriable();
    }

    @Override
    public String toString() {
        return code.name() + ": " + getMessage();
    }

    /** The Sluice error behind {@code t}: itself, a wrapped cause, or {@link ErrorCode#UNKNOWN}. */
    public static SluiceException from(Throwable t) {
        Throwable cur = t;
        for (int depth = 0; cur != null && depth < 8; depth++, cur = cur.getCause()) {
            if (cur instanceof SluiceException se) {
                return se;
            }
        }
        return new SluiceException(ErrorCode.UNKNOWN, String.valueOf(t), t);
    }
}
