"""Column mappings that turn third-party exports into the documented import formats."""
