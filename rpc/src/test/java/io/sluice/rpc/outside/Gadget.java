package io.sluice.rpc.outside;

/** A class in a package no test provider allows on its serialization allow-list. */
public class Gadget {
    public String command = "touch /tmp/pwned";
}
