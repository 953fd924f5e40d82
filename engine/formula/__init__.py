"""The formula language: reading formula text, compiling it to sympy with units, folding constants,
and the numpy, JavaScript and MathML back ends. Knows nothing of claims or files."""
