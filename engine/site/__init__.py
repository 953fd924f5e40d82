"""The static site: page contexts, diagrams, templates and the atomic writer (DESIGN §7)."""
