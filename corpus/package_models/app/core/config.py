"""Application settings, read from the environment."""
import os
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Settings:
    PROJECT_NAME: str = "Hibachi Booking API"
    API_V1_PREFIX: str = "/api/v1"
    DATABASE_URL: str = field(
        default_factory=lambda: os.getenv(
            "DATABASE_URL", "postgresql+psycopg://hibachi:hibachi@localhost:5432/hibachi"
        )
    )
    DEPOSIT_PERCENT: int = int(os.getenv("DEPOSIT_PERCENT", "20"))
    WEBHOOK_SECRET: str = os.getenv("WEBHOOK_SECRET", "change-me")


settings = Settings()
