package io.sluice.rpc.testing;

/** A value holder whose content is declared Object, so protostuff writes it with its type on the wire. */
public class Box {
    public Object content;

    public Box() {
    }

    public Box(Object content) {
        this.content = content;
    }
}
