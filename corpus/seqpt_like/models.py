"""
SE-QPT main models
==================

Core SQLAlchemy models of the SE Qualification Planning Tool: users,
assessments, questionnaires, learning objectives/modules and qualification
plans.

Derik's competency assessment models live in ``unified_models.py``, the MVP
models in ``mvp_models.py``.  See MODEL_UNIFICATION_PLAN.md before adding
anything here.
"""
import enum
import uuid
from datetime import datetime

from flask_sqlalchemy import SQLAlchemy
from werkzeug.security import check_password_hash, generate_password_hash

db = SQLAlchemy()

# ---------------------------------------------------------------------------
# Constants
# ---------------------------------------------------------------------------
MAX_COMPETENCY_LEVEL = 6
DEFAULT_LANGUAGE = 'en'
SE_PHASES = ('phase1', 'phase2', 'phase3', 'phase4')


class AssessmentStatus(enum.Enum):
    """Life cycle of an assessment."""
    DRAFT = 'draft'
    IN_PROGRESS = 'in_progress'
    COMPLETED = 'completed'
    ARCHIVED = 'archived'


class TimestampMixin:
    """created_at / updated_at for every table that wants them."""
    created_at = db.Column(db.DateTime, default=datetime.utcnow, nullable=False)
    updated_at = db.Column(db.DateTime, default=datetime.utcnow, onupdate=datetime.utcnow)


# Association table: SE-QPT users <-> SE roles
user_roles = db.Table(
    'user_roles',
    db.Column('user_id', db.Integer, db.ForeignKey('users.id'), primary_key=True),
    db.Column('role_id', db.Integer, db.ForeignKey('role_cluster.id'), primary_key=True),
)

# User management
class User(TimestampMixin, db.Model):
    """SE-QPT platform user (admins, employees)."""
    __tablename__ = 'users'

    id = db.Column(db.Integer, primary_key=True)
    username = db.Column(db.String(80), unique=True, nullable=False)
    email = db.Column(db.String(120), unique=True, nullable=False)
    password_hash = db.Column(db.String(255))
    first_name = db.Column(db.String(100))
    last_name = db.Column(db.String(100))
    role = db.Column(db.String(50), default='participant')
    is_active = db.Column(db.Boolean, default=True)
    organization_id = db.Column(db.Integer, db.ForeignKey('organization.id'))

    roles = db.relationship('RoleDefinition', secondary=user_roles,
                            backref=db.backref('users', lazy='dynamic'))
    assessments = db.relationship('Assessment', backref='user', lazy=True)

    def set_password(self, password):
        self.password_hash = generate_password_hash(password)

    def check_password(self, password):
        return bool(self.password_hash) and check_password_hash(self.password_hash, password)

    @property
    def full_name(self):
        return f"{self.first_name or ''} {self.last_name or ''}".strip() or self.username

    @staticmethod
    def find_by_email(email):
        return User.query.filter_by(email=email.lower()).first()

    def to_dict(self):
        return {
            'id': self.id,
            'username': self.username,
            'email': self.email,
            'full_name': self.full_name,
            'role': self.role,
            'organization_id': self.organization_id,
        }

# Core entities
class Competency(db.Model):
    """Original SE-QPT competency catalogue (pre-Derik, 16 competencies)."""
    __tablename__ = 'competencies'
    __table_args__ = (
        db.CheckConstraint('max_level BETWEEN 1 AND 6', name='ck_competencies_max_level'),
    )

    id = db.Column(db.Integer, primary_key=True)
    code = db.Column(db.String(20), unique=True, nullable=False)
    name = db.Column(db.String(255), nullable=False)
    category = db.Column(db.String(100))
    description = db.Column(db.Text)
    max_level = db.Column(db.Integer, default=MAX_COMPETENCY_LEVEL)


class RoleDefinition(db.Model):
    """The 14 SE roles as used by the SE-QPT questionnaires."""
    __tablename__ = 'role_cluster'

    id = db.Column(db.Integer, primary_key=True)
    role_cluster_name = db.Column(db.String(255), nullable=False)
    category = db.Column(db.String(50))
    is_se_role = db.Column(db.Boolean, default=True)

# Assessment & results
class Assessment(TimestampMixin, db.Model):
    """Base assessment; MVP maturity assessments are stored in the same table."""
    __tablename__ = 'assessments'
    __table_args__ = (
        db.Index('ix_assessments_user_phase', 'user_id', 'phase'),
    )

    id = db.Column(db.Integer, primary_key=True)
    uuid = db.Column(db.String(36), unique=True, default=lambda: Assessment.generate_uuid())
    user_id = db.Column(db.Integer, db.ForeignKey('users.id'))
    assessment_type = db.Column(db.String(50), nullable=False, default='assessment')
    phase = db.Column(db.String(20), default='phase1')
    status = db.Column(db.Enum(AssessmentStatus), default=AssessmentStatus.DRAFT)
    score = db.Column(db.Float)
    results = db.Column(db.JSON)
    completed_at = db.Column(db.DateTime)

    __mapper_args__ = {
        'polymorphic_on': assessment_type,
        'polymorphic_identity': 'assessment',
    }

    @staticmethod
    def generate_uuid():
        return str(uuid.uuid4())

    @property
    def is_completed(self):
        return self.status == AssessmentStatus.COMPLETED

    def to_dict(self):
        return {
            'id': self.id,
            'uuid': self.uuid,
            'type': self.assessment_type,
            'phase': self.phase,
            'status': self.status.value if self.status else None,
            'score': self.score,
        }

# Learning & qualification
class LearningModule(TimestampMixin, db.Model):
    """A training module of the module library."""
    __tablename__ = 'learning_modules'

    id = db.Column(db.Integer, primary_key=True)
    module_code = db.Column(db.String(20), unique=True)
    title = db.Column(db.String(255), nullable=False)
    competency_id = db.Column(db.Integer, db.ForeignKey('competency.id'))
    target_level = db.Column(db.Integer)
    duration_hours = db.Column(db.Float)

    objectives = db.relationship('LearningObjective', back_populates='module')


class LearningObjective(TimestampMixin, db.Model):
    """Generated learning objective (one per competency gap)."""
    __tablename__ = 'learning_objectives'

    id = db.Column(db.Integer, primary_key=True)
    organization_id = db.Column(db.Integer, db.ForeignKey('organization.id'))
    competency_id = db.Column(db.Integer, db.ForeignKey('competency.id'))
    module_id = db.Column(db.Integer, db.ForeignKey('learning_modules.id'))
    current_level = db.Column(db.Integer)
    target_level = db.Column(db.Integer)
    text = db.Column(db.Text)
    language = db.Column(db.String(5), default=DEFAULT_LANGUAGE)

    module = db.relationship('LearningModule', back_populates='objectives')

    @property
    def gap(self):
        return max(0, (self.target_level or 0) - (self.current_level or 0))


class QualificationPlan(TimestampMixin, db.Model):
    """Qualification plan of one user."""
    __tablename__ = 'qualification_plans'

    id = db.Column(db.Integer, primary_key=True)
    user_id = db.Column(db.Integer, db.ForeignKey('users.user_id'))
    organization_id = db.Column(db.Integer, db.ForeignKey('organization.id'))
    strategy = db.Column(db.String(100))
    plan_data = db.Column(db.JSON)

# Questionnaires & surveys
class Questionnaire(TimestampMixin, db.Model):
    """Phase questionnaire definition."""
    __tablename__ = 'questionnaires'

    id = db.Column(db.Integer, primary_key=True)
    name = db.Column(db.String(100), unique=True, nullable=False)
    title = db.Column(db.String(255))
    phase = db.Column(db.String(20))
    is_active = db.Column(db.Boolean, default=True)

    questions = db.relationship('Question', back_populates='questionnaire',
                                cascade='all, delete-orphan', order_by='Question.sort_order')


class Question(db.Model):
    __tablename__ = 'questions'
    __table_args__ = (
        db.UniqueConstraint('questionnaire_id', 'question_number', name='uq_question_number'),
    )

    id = db.Column(db.Integer, primary_key=True)
    questionnaire_id = db.Column(db.Integer, db.ForeignKey('questionnaires.id'), nullable=False)
    question_number = db.Column(db.String(10))
    text = db.Column(db.Text, nullable=False)
    question_type = db.Column(db.String(30), default='single_choice')
    options = db.Column(db.JSON)
    sort_order = db.Column(db.Integer, default=0)

    questionnaire = db.relationship('Questionnaire', back_populates='questions')


class PhaseQuestionnaireResponse(TimestampMixin, db.Model):
    """Answers of one user to one phase questionnaire."""
    __tablename__ = 'phase_questionnaire_responses'

    id = db.Column(db.Integer, primary_key=True)
    user_id = db.Column(db.Integer, db.ForeignKey('users.id'))
    questionnaire_id = db.Column(db.Integer, db.ForeignKey('questionnaires.id'))
    phase = db.Column(db.String(20))
    responses = db.Column(db.JSON)

    user = db.relationship('User', backref='questionnaire_responses')
    questionnaire = db.relationship('Questionnaire', backref='responses')


def get_user_organization(user):
    """Return Derik's Organization row of a SE-QPT user (or None)."""
    if user is None or user.organization_id is None:
        return None
    return db.session.get(Organization, user.organization_id)


# Derik's models are imported at the bottom: unified_models needs ``db`` from
# this module first (circular import, see MODEL_UNIFICATION_PLAN.md).
from unified_models import Organization, RoleCluster  # noqa: E402,F401
