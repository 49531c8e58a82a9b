package org.plateau.explore;

/**
 * What removing one latent of the base does (METHOD §4.9): the response at the read hook to the
 * base minus that latent's decoded contribution.
 *
 * @param latent the base latent removed
 * @param value its value in the base's code
 * @param l2 ‖post(ablated) − post(base)‖₂ at the read hook
 * @param kl KL(p_base ‖ p_ablated) of the next-token distribution
 */
public record Ablation(int latent, double value, double l2, double kl) {}
