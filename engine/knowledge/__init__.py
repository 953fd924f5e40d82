"""The knowledge base: YAML source with positions, the schema, the loader and its checks, the graph
and scenario resolution. The first stage of the pipeline and the only one that reads claims files."""
