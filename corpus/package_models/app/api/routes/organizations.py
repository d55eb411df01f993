"""Organization (tenant) admin endpoints."""
from fastapi import APIRouter, Depends, HTTPException
from sqlalchemy.orm import Session

import app.models as m
from app.db.session import get_db

router = APIRouter(prefix="/organizations", tags=["organizations"])


@router.get("/{slug}")
def get_organization(slug: str, db: Session = Depends(get_db)):
    org = db.query(m.Organization).filter(m.Organization.slug == slug).one_or_none()
    if org is None:
        raise HTTPException(status_code=404, detail="organization not found")
    return org.to_dict()


@router.get("/{slug}/members")
def list_members(slug: str, db: Session = Depends(get_db)):
    org = db.query(m.Organization).filter_by(slug=slug).one_or_none()
    if org is None:
        raise HTTPException(status_code=404, detail="organization not found")
    return [u.to_dict() for u in org.members(db)]


@router.get("/{slug}/chefs")
def list_chefs(slug: str, db: Session = Depends(get_db)):
    rows = (
        db.query(m.Chef)
        .join(m.User, m.Chef.user_id == m.User.id)
        .join(m.Organization, m.User.organization_id == m.Organization.id)
        .filter(m.Organization.slug == slug)
        .all()
    )
    return [c.to_dict() for c in rows]
