/**
 * The registry: live brokers, topic metadata with compare-and-set partition state, RPC service discovery and
 * leader election, on ZooKeeper through Curator ({@link io.sluice.registry.RegistryClient}), plus an embedded
 * ZooKeeper server for the standalone mode ({@link io.sluice.registry.EmbeddedZooKeeper}).
 */
package io.sluice.registry;
