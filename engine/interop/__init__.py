"""Exchange with other argument-mapping tools: reading their files into a claims folder and writing
a knowledge base in their formats. Importers return plain YAML data (never a loaded knowledge base),
so what they write is checked by the same loader as a hand-written map."""
