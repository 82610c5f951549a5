/**
 * The public messaging API of Sluice: {@link io.sluice.client.Producer}, {@link io.sluice.client.Consumer} and
 * {@link io.sluice.client.Admin}, their typed configs, and the value types they exchange.
 *
 * <p>Every failure is a {@link io.sluice.remoting.SluiceException} carrying an {@link io.sluice.remoting.ErrorCode}
 * whose {@code retriable()} says whether trying again can help. Everything in
 * {@code io.sluice.client.internals} is an implementation detail and may change without notice.
 */
package io.sluice.client;
