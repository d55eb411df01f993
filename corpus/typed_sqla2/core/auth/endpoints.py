"""Token endpoints of the old auth stack."""
import hashlib
import secrets

from fastapi import APIRouter, Depends, HTTPException
from sqlalchemy import select
from sqlalchemy.orm import Session

from core.auth.models import RefreshToken, StationUser
from db.models.identity import User
from db.session import SessionLocal

router = APIRouter(prefix="/auth", tags=["auth"])


def get_db():
    db = SessionLocal()
    try:
        yield db
    finally:
        db.close()


@router.post("/token/refresh")
def refresh(token: str, station_id: int, db: Session = Depends(get_db)):
    digest = hashlib.sha256(token.encode()).hexdigest()
    row = db.scalar(select(RefreshToken).where(RefreshToken.token_hash == digest))
    if row is None or row.expired():
        raise HTTPException(status_code=401, detail="invalid refresh token")
    user = db.get(User, row.user_id)
    membership = db.get(StationUser, {"station_id": station_id, "user_id": row.user_id})
    if user is None or not user.is_active or membership is None:
        raise HTTPException(status_code=403, detail="no access to this station")
    row.revoked = True
    new_token = secrets.token_urlsafe(32)
    db.add(RefreshToken(user_id=user.id, token_hash=hashlib.sha256(new_token.encode()).hexdigest()))
    db.commit()
    return {"refresh_token": new_token, "scopes": membership.scopes.split()}
