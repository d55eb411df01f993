"""
SE-QPT backend models
=====================

Organizations, the competency catalogue, and each organization's learning
strategies (phase 2). The database is migrated with hand-written SQL
(see schema.sql at the repository root); keep these classes in step with it.
"""
from datetime import datetime

from flask_sqlalchemy import SQLAlchemy

db = SQLAlchemy()

MAX_COMPETENCY_LEVEL = 6


class Organization(db.Model):
    """A customer organization (tenant)."""
    __tablename__ = 'organization'

    id = db.Column(db.Integer, primary_key=True)
    organization_name = db.Column(db.String(255), nullable=False, unique=True)
    organization_public_key = db.Column(db.String(50), nullable=False, unique=True)
    phase1_completed = db.Column(db.Boolean, default=False)
    created_at = db.Column(db.DateTime, default=datetime.utcnow)

    learning_strategies = db.relationship(
        'LearningStrategy', back_populates='organization', cascade='all, delete-orphan'
    )
    learning_objectives = db.relationship('LearningObjective', back_populates='organization')

    def to_dict(self):
        return {'id': self.id, 'name': self.organization_name}


class Competency(db.Model):
    """One of the 16 SE competencies."""
    __tablename__ = 'competency'

    id = db.Column(db.Integer, primary_key=True)
    competency_name = db.Column(db.String(255), nullable=False)
    competency_area = db.Column(db.String(50))
    description = db.Column(db.Text)


class LearningStrategy(db.Model):
    """
    A qualification strategy an organization selected in phase 2.

    Strategies used to be typed in per organization; since the global strategy
    templates migration (2025-11-05) most rows point at a template.
    """
    __tablename__ = 'learning_strategy'

    id = db.Column(db.Integer, primary_key=True)
    organization_id = db.Column(
        db.Integer,
        db.ForeignKey('organization.id', ondelete='CASCADE'),
        nullable=False,
    )
    strategy_name = db.Column(db.String(255), nullable=False)
    strategy_description = db.Column(db.Text)
    selected = db.Column(db.Boolean, default=False)
    priority = db.Column(db.Integer)
    created_at = db.Column(db.DateTime, default=datetime.utcnow)

    # Relationships
    organization = db.relationship('Organization', back_populates='learning_strategies')
    competencies = db.relationship(
        'StrategyCompetency', back_populates='strategy', cascade='all, delete-orphan'
    )

    def to_dict(self):
        return {
            'id': self.id,
            'organization_id': self.organization_id,
            'strategy_name': self.strategy_name,
            'selected': self.selected,
            'priority': self.priority,
        }


class StrategyCompetency(db.Model):
    """Per-organization target level of a competency for one strategy."""
    __tablename__ = 'strategy_competency'

    id = db.Column(db.Integer, primary_key=True)
    strategy_id = db.Column(
        db.Integer, db.ForeignKey('learning_strategy.id', ondelete='CASCADE'), nullable=False
    )
    competency_id = db.Column(db.Integer, db.ForeignKey('competency.id'), nullable=False)
    target_level = db.Column(db.Integer, nullable=False)

    strategy = db.relationship('LearningStrategy', back_populates='competencies')
    competency = db.relationship('Competency')

    __table_args__ = (
        db.UniqueConstraint('strategy_id', 'competency_id'),
        db.CheckConstraint(
            'target_level >= 1 AND target_level <= 6',
            name='strategy_competency_target_level_check',
        ),
    )


class LearningObjective(db.Model):
    """A generated learning objective for an organization and a competency."""
    __tablename__ = 'learning_objective'

    id = db.Column(db.Integer, primary_key=True)
    organization_id = db.Column(
        db.Integer, db.ForeignKey('organization.id'), nullable=False, index=True
    )
    competency_id = db.Column(db.Integer, db.ForeignKey('competency.id'), nullable=False)
    objective_text = db.Column(db.Text, nullable=False)
    created_at = db.Column(db.DateTime, default=datetime.utcnow)

    organization = db.relationship('Organization', back_populates='learning_objectives')
    competency = db.relationship('Competency')
