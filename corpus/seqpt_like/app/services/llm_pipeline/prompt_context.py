"""Plain value objects handed to the LLM prompts (no database access)."""
from dataclasses import dataclass, field
from typing import List


class Competency:
    """Lightweight competency description used inside prompts."""

    def __init__(self, name, area, required_level=0, current_level=0):
        self.name = name
        self.area = area
        self.required_level = required_level
        self.current_level = current_level

    @property
    def gap(self):
        return max(0, self.required_level - self.current_level)

    def __repr__(self):
        return f"Competency({self.name!r}, gap={self.gap})"


@dataclass
class LearningObjective:
    competency: str
    text: str
    tags: List[str] = field(default_factory=list)


def build_prompt(tasks, competencies):
    lines = ["Map the following tasks to SE role clusters:"]
    lines += [f"- {task}" for task in tasks]
    lines.append("Known competency gaps:")
    lines += [f"- {c.name}: {c.gap}" for c in competencies if c.gap]
    return "\n".join(lines)
