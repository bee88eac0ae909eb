"""Who may see and take data: dashboard accounts (`accounts`) and the audited leads export
(`export`)."""
