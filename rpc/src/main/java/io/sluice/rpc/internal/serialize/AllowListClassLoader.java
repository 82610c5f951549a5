package io.sluice.rpc.internal.serialize;

/**
 * The class loader protostuff sees while it reads a payload: protostuff loads the classes named on the wire through
 * the thread's context class loader, so this loader enforces the allow-list a second time, behind
 * {@link GuardedInput} (which also covers the names protostuff resolves without loading a class, such as its short
 * collection names). A name outside the list fails with an unchecked CLASS_NOT_ALLOWED error (an unchecked error on
 * purpose: protostuff falls back to {@code Class.forName} after a {@code ClassNotFoundException}). Allowed names
 * are loaded, without initialisation, from the application loader.
 *
 * <p>Thread-safe (immutable).
 */
final class AllowListClassLoader extends ClassLoader {
    private final AllowList allowList;
    private final ClassLoader delegate;

    AllowListClassLoader(AllowList allowList, ClassLoader delegate) {
        super(null);
        this.allowList = allowList;
        this.delegate = delegate;
    }

    @Override
    public Class<?> loadClass(String name) throws ClassNotFoundException {
        return loadClass(name, false);
    }

    @Override
    protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
        allowList.check(name);
        return Class.forName(name, false, delegate);
    }

    AllowList allowList() {
        return allowList;
    }
}
