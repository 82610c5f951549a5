package io.sluice.client;

/**
 * A consumer group as listed: its id, state ({@code EMPTY}, {@code PREPARING_REBALANCE}, {@code STABLE}) and number
 * of members. A group with committed offsets but no members is {@code EMPTY}. Immutable.
 */
public record GroupListing(String groupId, String state, int members) {
}
