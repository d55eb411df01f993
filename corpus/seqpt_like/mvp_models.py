"""
MVP models
==========

Simplified models written for the MVP (maturity assessment, role mapping,
learning plans).  Uses UUID primary keys.

TODO(unification): organization_id should be Integer -> organization.id
"""
import uuid
from datetime import datetime

from werkzeug.security import check_password_hash, generate_password_hash

from models import db, User, Assessment, TimestampMixin
from unified_models import Organization

try:
    from unified_models import Competency as SECompetency, RoleCluster as SERole
except ImportError:  # Derik's models not deployed
    class SECompetency:
        """Placeholder so that the MVP runs without Derik's tables."""
        pass

    class SERole:
        """Placeholder so that the MVP runs without Derik's tables."""
        pass


MVP_ROLES = ('admin', 'employee')
MATURITY_LEVELS = {1: 'Initial', 2: 'Developing', 3: 'Defined', 4: 'Managed', 5: 'Optimized'}


def _uuid():
    return str(uuid.uuid4())


class MVPBase(db.Model):
    """Abstract base: UUID primary key + created_at."""
    __abstract__ = True

    id = db.Column(db.String(36), primary_key=True, default=_uuid)
    created_at = db.Column(db.DateTime, default=datetime.utcnow)


mvp_user_roles = db.Table(
    'mvp_user_roles',
    db.Column('user_id', db.String(36), db.ForeignKey('mvp_users.id'), primary_key=True),
    db.Column('role_id', db.Integer, db.ForeignKey('roles.id'), primary_key=True),
)

# User management
class MVPUser(MVPBase):
    """MVP user (admin or employee of an organization)."""
    __tablename__ = 'mvp_users'

    username = db.Column(db.String(80), unique=True, nullable=False)
    email = db.Column(db.String(120), unique=True, nullable=False)
    password_hash = db.Column(db.String(255), nullable=False)
    first_name = db.Column(db.String(100))
    last_name = db.Column(db.String(100))
    user_role = db.Column(db.String(20), default='employee')
    is_active = db.Column(db.Boolean, default=True)
    organization_id = db.Column(db.String(36), db.ForeignKey('organizations.id'))

    maturity_assessments = db.relationship('MaturityAssessment', back_populates='mvp_user')
    learning_plans = db.relationship('MVPLearningPlan', backref='user', lazy='dynamic')

    def set_password(self, password):
        self.password_hash = generate_password_hash(password)

    def check_password(self, password):
        return check_password_hash(self.password_hash, password)

    @property
    def is_admin(self):
        return self.user_role == 'admin'

    def get_organization(self, public_key):
        return Organization.query.filter_by(organization_public_key=public_key).first()

    def to_seqpt_user(self):
        """Build an (unsaved) SE-QPT User carrying the same credentials."""
        return User(username=self.username, email=self.email,
                    password_hash=self.password_hash, is_active=self.is_active)

    def to_dict(self):
        return {
            'id': self.id,
            'username': self.username,
            'email': self.email,
            'role': self.user_role,
            'organization_id': self.organization_id,
        }

# Assessment & results
class MaturityAssessment(Assessment):
    """Organizational SE maturity (stored in the assessments table)."""
    __mapper_args__ = {'polymorphic_identity': 'maturity'}

    mvp_user_id = db.Column(db.String(36), db.ForeignKey('mvp_users.id'))
    maturity_level = db.Column(db.Integer)
    scope_score = db.Column(db.Float)
    process_score = db.Column(db.Float)

    mvp_user = db.relationship('MVPUser', back_populates='maturity_assessments')

    @property
    def maturity_label(self):
        return MATURITY_LEVELS.get(self.maturity_level, 'Unknown')

# User management
class RoleMapping(MVPBase):
    """LLM-suggested mapping of a user's tasks to an SE role cluster."""
    __tablename__ = 'mvp_role_mappings'

    user_id = db.Column(db.String(36), db.ForeignKey('mvp_users.id'), nullable=False)
    role_cluster_id = db.Column(db.Integer, db.ForeignKey('role_cluster.id'))
    organization_id = db.Column(db.String(36), db.ForeignKey('organization.id'))
    confidence = db.Column(db.Float)
    rationale = db.Column(db.Text)

    user = db.relationship('MVPUser', back_populates='role_mappings')
    role_cluster = db.relationship('RoleCluster')

# Learning & qualification
class MVPLearningPlan(TimestampMixin, MVPBase):
    """Learning plan generated for an MVP user."""
    __tablename__ = 'mvp_learning_plans'

    user_id = db.Column(db.String(36), db.ForeignKey('mvp_users.id'), nullable=False)
    organization_id = db.Column(db.String(36), db.ForeignKey('organizations.id'))
    strategy = db.Column(db.String(100))
    objectives = db.Column(db.JSON)
    status = db.Column(db.String(20), default='draft')

    def to_dict(self):
        return {'id': self.id, 'strategy': self.strategy, 'status': self.status}
