"""Stable import surface for the model classes used by scripts and the API.

Import from here instead of picking one of the three model files.
"""
from models import User, QualificationPlan
from unified_models import Organization, Competency

__all__ = ["User", "Organization", "Competency", "QualificationPlan"]
