package org.plateau.experiment;

/** The blow-up step metrics of METHOD §5, as the tables and figures name them. */
public enum Metric {
    MS_L2("ms_l2", "MS step of L2"),
    MS_KL("ms_kl", "MS step of KL"),
    AUC_L2("auc_l2", "AUC step of L2"),
    NL_L2("nl_l2", "NL step of L2"),
    AP_L2("ap_l2", "AP step of L2");

    private final String id;
    private final String label;

    Metric(String id, String label) {
        this.id = id;
        this.label = label;
    }

    public String id() {
        return id;
    }

    public String label() {
        return label;
    }
}
