package io.sluice.remoting;

/**
 * The rule for topic names (letters, digits, '.', '_', '-', 1 to 200 characters, not "." or "..") and the names of
 * the internal topics. Thread-safe.
 */
public final class TopicNames {
    public static final int MAX_LENGTH = 200;
    /** Internal topics start with this; listings and pattern subscriptions leave them out. */
    public static final String INTERNAL_PREFIX = "__";
    /**
     * The internal topic of group offsets and membership: the coordinator of a group leads its partition
     * {@code floorMod(groupId.hashCode(), OFFSETS_TOPIC_PARTITIONS)}.
     */
    public static final String OFFSETS_TOPIC = "__consumer_offsets";
    public static final int OFFSETS_TOPIC_PARTITIONS = 8;

    private TopicNames() {
    }

    public static boolean isValid(String name) {
        if (name == null || name.isEmpty() || name.length() > MAX_LENGTH || name.equals(".") || name.equals("..")) {
            return false;
        }
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            boolean ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.'
                    || c == '_' || c == '-';
            if (!ok) {
                return false;
            }
        }
        return true;
    }

    /** True for an internal topic (its name starts with {@value #INTERNAL_PREFIX}). */
    public static boolean isInternal(String name) {
        return name.startsWith(INTERNAL_PREFIX);
    }

    /** Returns {@code name}, or throws INVALID_TOPIC saying what is allowed. */
    public static String validate(String name) {
        if (!isValid(name)) {
            String shown = name == null ? "null" : name.length() > 60 ? "'" + name.substring(0, 60) + "...' ("
                    + name.length() + " chars)" : "'" + name + "'";
            throw new SluiceException(ErrorCode.INVALID_TOPIC, "topic name " + shown + " is invalid: use 1 to "
                    + MAX_LENGTH + " letters, digits, '.', '_' or '-' (and not '.' or '..')");
        }
        return name;
    }
}
