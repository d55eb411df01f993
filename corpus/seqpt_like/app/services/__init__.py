"""Service layer (LLM pipeline, integrations)."""
