"""Analysis: the engine, the graph, the rules and their configuration."""
