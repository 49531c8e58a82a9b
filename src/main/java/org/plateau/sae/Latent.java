package org.plateau.sae;

/** An SAE latent and its value in one activation. */
public record Latent(int index, double value) {}
