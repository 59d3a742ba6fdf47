"""The dispute mediation service (矛盾纠纷调解): intake to archive on a working-day clock."""
