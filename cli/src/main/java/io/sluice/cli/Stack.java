package io.sluice.cli;

import java.util.ArrayDeque;
import java.util.Deque;

/** Things started in order and closed in reverse order. */
final class Stack implements AutoCloseable {
    private final Deque<AutoCloseable> items = new ArrayDeque<>();

    <T extends AutoCloseable> T add(T item) {
        items.push(item);
        return item;
    }

    @Override
    public synchronized void close() {
        while (!items.isEmpty()) {
            try {
                items.pop().close();
            } catch (Exception e) {
                System.err.println("error while stopping: " + e);
            }
        }
    }
}
