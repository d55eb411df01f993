from dataclasses import dataclass


@dataclass
class OrganizationOut:
    id: int
    name: str
