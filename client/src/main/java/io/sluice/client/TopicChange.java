package io.sluice.client;

/**
 * What {@link Admin#createTopic} or {@link Admin#deleteTopic} did. Usually the first request settles it
 * ({@code attempts} 1, no {@code note}). When a nameserver's answer was lost (the connection dropped or the request
 * timed out after it was sent, so the change may or may not have been made) the admin client asks again, at the next
 * nameserver; if that finds the topic already created (or already gone) it checks that the topic is exactly the one
 * asked for, and the note says so. Immutable.
 *
 * @param topic    the topic
 * @param attempts requests sent, counting those whose answer was lost or that a nameserver refused with a retriable
 *                 error
 * @param note     null when the first answer settled it; otherwise what happened, for a person to read
 */
public record TopicChange(String topic, int attempts, String note) {
    /** True when the outcome was established only after an answer was lost and the cluster was checked. */
    public boolean confirmedAfterLostAnswer() {
        return note != null;
    }
}
