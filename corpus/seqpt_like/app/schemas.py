"""Pydantic request/response schemas (NOT database models)."""
from typing import List, Optional

from pydantic import BaseModel, Field


class Organization(BaseModel):
    """Organization as sent by the frontend registration form."""
    name: str
    size: Optional[str] = None
    public_key: Optional[str] = None


class CompanyContext(BaseModel):
    """Company context fed into the LLM pipeline."""
    organization_name: str
    industry: Optional[str] = None
    processes: List[str] = Field(default_factory=list)
    tools: List[str] = Field(default_factory=list)


class UserCreate(BaseModel):
    username: str
    email: str
    password: str = Field(min_length=8)
