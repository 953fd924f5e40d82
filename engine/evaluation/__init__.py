"""Evaluating a scenario: numbers, calculators and conditions, the grounded labelling, and the
explanation of every label."""
