"""Station membership endpoints."""
from typing import List

from fastapi import APIRouter, Depends, HTTPException
from sqlalchemy import select
from sqlalchemy.orm import Session

from api.v1.schemas import StationUser as StationUserOut
from db.models.identity import (
    Station,
    StationRole,  # enum, shared with the request body
    # StationUser is imported below: the old auth stack still owns the writes
)
from db.session import SessionLocal

try:
    from core.auth.models import StationUser
except ImportError:  # core/auth archived -> use the new identity model
    from db.models.identity import StationUser

router = APIRouter(prefix="/stations", tags=["stations"])


def get_db():
    db = SessionLocal()
    try:
        yield db
    finally:
        db.close()


@router.get("/{code}/members", response_model=List[StationUserOut])
def members(code: str, db: Session = Depends(get_db)):
    station = db.scalar(select(Station).where(Station.code == code))
    if station is None:
        raise HTTPException(status_code=404, detail="station not found")
    rows = db.scalars(select(StationUser).where(StationUser.station_id == station.id)).all()
    return [
        StationUserOut(
            user_id=r.user_id,
            station_id=r.station_id,
            role=getattr(r.role, "value", r.role),
            scopes=(getattr(r, "scopes", "") or "").split(),
        )
        for r in rows
    ]


@router.put("/{code}/members/{user_id}")
def set_role(code: str, user_id: int, role: StationRole, db: Session = Depends(get_db)):
    station = db.scalar(select(Station).where(Station.code == code))
    if station is None:
        raise HTTPException(status_code=404, detail="station not found")
    row = db.get(StationUser, {"station_id": station.id, "user_id": user_id})
    if row is None:
        row = StationUser(station_id=station.id, user_id=user_id)
        db.add(row)
    row.role = role.value
    db.commit()
    return {"station": code, "user_id": user_id, "role": role.value}
