# backend package marker (kept so `python -m backend.run` also works from src/)
