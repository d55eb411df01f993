"""LLM pipeline: task-based role mapping and learning objective phrasing."""
from .pipeline import run_pipeline

__all__ = ['run_pipeline']
