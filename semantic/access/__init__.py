"""Who may see and take data: dashboard accounts (`accounts`), API tokens (`tokens`) and the
audited leads export (`export`)."""
