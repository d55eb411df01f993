"""Customer schemas."""
from typing import Optional

from pydantic import BaseModel, ConfigDict


class CustomerCreate(BaseModel):
    first_name: str
    last_name: str
    email: str
    phone: Optional[str] = None
    marketing_opt_in: bool = False


class Customer(CustomerCreate):
    model_config = ConfigDict(from_attributes=True)

    id: int
