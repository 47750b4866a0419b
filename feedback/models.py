# CSAT surveys and product feedback items arrive with their issue; see docs/architecture.md.
