"""
Derik's competency assessment models
====================================

Ported from Derik's competency assessment tool (organization, SE
competencies, role clusters, role/competency matrix, survey results).
Table names follow Derik's singular convention.
"""
import hashlib
from datetime import datetime

from models import db, TimestampMixin, MAX_COMPETENCY_LEVEL

COMPETENCY_AREAS = ('Core', 'Social / Personal', 'Management', 'Technical')
ROLE_COMPETENCY_VALUES = (0, 1, 2, 3, 4, 6)

# ===== CORE ENTITIES (DERIK'S FOUNDATION) =====
class Organization(db.Model):
    """Organization taking part in the assessment (Derik's source of truth)."""
    __tablename__ = 'organization'

    id = db.Column(db.Integer, primary_key=True)
    organization_name = db.Column(db.String(255), nullable=False)
    organization_public_key = db.Column(db.String(50), unique=True, nullable=False)
    size = db.Column(db.String(20))
    maturity_score = db.Column(db.Float)
    selected_archetype = db.Column(db.String(100))
    phase1_completed = db.Column(db.Boolean, default=False)
    created_at = db.Column(db.DateTime, default=datetime.utcnow)

    app_users = db.relationship('AppUser', back_populates='organization',
                                cascade='all, delete-orphan')
    users = db.relationship('User', backref='organization', lazy='dynamic')
    feature_flags = db.relationship('FeatureFlag', cascade='all, delete-orphan', lazy='dynamic')

    @staticmethod
    def generate_public_key(name):
        digest = hashlib.sha1(name.encode('utf-8')).hexdigest()[:8].upper()
        return f"ORG-{digest}"

    def to_dict(self):
        return {
            'id': self.id,
            'name': self.organization_name,
            'public_key': self.organization_public_key,
            'size': self.size,
            'maturity_score': self.maturity_score,
        }


class Competency(db.Model):
    """One of Derik's 16 SE competencies."""
    __tablename__ = 'competency'

    id = db.Column(db.Integer, primary_key=True)
    competency_name = db.Column(db.String(255), nullable=False)
    competency_area = db.Column(db.String(50))
    description = db.Column(db.Text)
    why_it_matters = db.Column(db.Text)

    indicators = db.relationship('CompetencyIndicator', backref='competency', lazy=True)

    @property
    def area_index(self):
        return COMPETENCY_AREAS.index(self.competency_area) if self.competency_area in COMPETENCY_AREAS else -1


class CompetencyIndicator(db.Model):
    """Behavioural indicator of a competency at a given level."""
    __tablename__ = 'competency_indicator'

    id = db.Column(db.Integer, primary_key=True)
    competency_id = db.Column(db.Integer, db.ForeignKey('competency.id'), nullable=False)
    level = db.Column(db.String(20))
    indicator_en = db.Column(db.Text)
    indicator_de = db.Column(db.Text)


class RoleCluster(db.Model):
    """Derik's 14 SE role clusters."""
    __tablename__ = 'role_cluster'
    __table_args__ = {'extend_existing': True}

    id = db.Column(db.Integer, primary_key=True)
    role_cluster_name = db.Column(db.String(255), nullable=False)
    role_cluster_description = db.Column(db.Text)

    matrix_entries = db.relationship('RoleCompetencyMatrix', back_populates='role_cluster')


class RoleCompetencyMatrix(db.Model):
    """Required competency level per role cluster and organization."""
    __tablename__ = 'role_competency_matrix'
    __table_args__ = (
        db.UniqueConstraint('organization_id', 'role_cluster_id', 'competency_id',
                            name='uq_role_competency'),
        db.CheckConstraint('role_competency_value IN (0, 1, 2, 3, 4, 6)',
                           name='ck_role_competency_value'),
    )

    id = db.Column(db.Integer, primary_key=True)
    role_cluster_id = db.Column(db.Integer, db.ForeignKey('role_cluster.id'), nullable=False)
    competency_id = db.Column(db.Integer, db.ForeignKey('competency.id'), nullable=False)
    organization_id = db.Column(db.Integer, db.ForeignKey('organization.id'), nullable=False)
    role_competency_value = db.Column(db.Integer, default=0)

    role_cluster = db.relationship('RoleCluster', back_populates='matrix_entries')

    @staticmethod
    def clamp(value):
        return max(0, min(MAX_COMPETENCY_LEVEL, int(value)))

# ===== USER MANAGEMENT =====
class AppUser(TimestampMixin, db.Model):
    """Survey participant (anonymous, identified by username only)."""
    __tablename__ = 'app_user'

    id = db.Column(db.Integer, primary_key=True)
    organization_id = db.Column(db.Integer, db.ForeignKey('organization.id'))
    name = db.Column(db.String(100))
    username = db.Column(db.String(50), unique=True, nullable=False)
    tasks_responsibilities = db.Column(db.JSON)

    organization = db.relationship('Organization', back_populates='app_users')
    survey_results = db.relationship('UserCompetencySurveyResult', backref='app_user',
                                     cascade='all, delete-orphan')

# ===== ASSESSMENT & RESULTS =====
class UserCompetencySurveyResult(db.Model):
    """Self-assessed competency level of a survey participant."""
    __tablename__ = 'user_se_competency_survey_results'
    __table_args__ = (
        db.Index('ix_survey_results_org_user', 'organization_id', 'user_id'),
    )

    id = db.Column(db.Integer, primary_key=True)
    user_id = db.Column(db.Integer, db.ForeignKey('app_user.id'), nullable=False)
    organization_id = db.Column(db.Integer, db.ForeignKey('organization.id'), nullable=False)
    competency_id = db.Column(db.Integer, db.ForeignKey('competency.id'), nullable=False)
    score = db.Column(db.Integer, nullable=False)
    submitted_at = db.Column(db.DateTime, default=datetime.utcnow)

    def to_dict(self):
        return {
            'user_id': self.user_id,
            'competency_id': self.competency_id,
            'score': self.score,
        }
