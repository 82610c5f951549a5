/**
 * The ZooKeeper implementation of the registry API (internal: no compatibility promises; use
 * {@link io.sluice.registry.RegistryClient}). Layout in {@link io.sluice.registry.zk.ZkPaths}, stored records in
 * {@code StoredForms}, threads in {@link io.sluice.registry.zk.ZkContext}.
 */
package io.sluice.registry.zk;
