"""Plain query functions for the admins' tip drafts, undo records, pending switches and sign-in links."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import datetime

from sqlalchemy import delete, func, or_, update
from sqlmodel import Session, col, select

from storage.models import TipChange, TipDraft, WebLink


def add_draft(*, session: Session, draft: TipDraft) -> TipDraft:
    """Store a draft and commit; the draft comes back with its id."""
    session.add(draft)
    session.commit()
    session.refresh(draft)
    return draft


def save_draft(*, session: Session, draft: TipDraft) -> None:
    session.add(draft)
    session.commit()


def get_draft(*, session: Session, draft_id: int, now: datetime) -> TipDraft | None:
    """The draft with this id unless it has expired."""
    draft = session.get(TipDraft, draft_id)
    if draft is None or (draft.expires_at is not None and draft.expires_at <= now):
        return None
    return draft


def open_draft(*, session: Session, admin_id: int, kinds: Collection[str], now: datetime) -> TipDraft | None:
    """The admin's newest unexpired draft of one of these kinds."""
    statement = (
        select(TipDraft)
        .where(
            col(TipDraft.admin_id) == admin_id,
            col(TipDraft.kind).in_(list(kinds)),
            or_(col(TipDraft.expires_at).is_(None), col(TipDraft.expires_at) > now),
        )
        .order_by(col(TipDraft.id).desc())
        .limit(1)
    )
    return session.exec(statement).first()


def drafts_of_kind(*, session: Session, kind: str) -> Sequence[TipDraft]:
    """Every draft of a kind, oldest first (expired ones included)."""
    return session.exec(select(TipDraft).where(col(TipDraft.kind) == kind).order_by(col(TipDraft.id))).all()


def delete_drafts(
    *,
    session: Session,
    admin_id: int | None = None,
    kinds: Collection[str] = (),
    ids: Collection[int] = (),
    tip_ids: Collection[str] = (),
    expired_before: datetime | None = None,
) -> int:
    """Delete the drafts that match every filter given, and commit; how many went."""
    statement = delete(TipDraft)
    if admin_id is not None:
        statement = statement.where(col(TipDraft.admin_id) == admin_id)
    if kinds:
        statement = statement.where(col(TipDraft.kind).in_(list(kinds)))
    if ids:
        statement = statement.where(col(TipDraft.id).in_(list(ids)))
    if tip_ids:
        statement = statement.where(col(TipDraft.tip_id).in_(list(tip_ids)))
    if expired_before is not None:
        statement = statement.where(col(TipDraft.expires_at) <= expired_before)
    result = session.exec(statement)
    session.commit()
    return int(result.rowcount)


def tip_ids_in_history(*, session: Session) -> set[str]:
    """Every tip id that was ever logged, deleted tips' included."""
    return set(session.exec(select(TipChange.tip_id).distinct()).all())


def deleted_tip_texts(*, session: Session, ids: Collection[str]) -> dict[str, str]:
    """For tips that were removed, the Dutch text they had when they went (newest removal)."""
    if not ids:
        return {}
    statement = (
        select(TipChange)
        .where(
            col(TipChange.tip_id).in_(list(ids)),
            col(TipChange.field) == "tip",
            col(TipChange.after).is_(None),
        )
        .order_by(col(TipChange.changed_at), col(TipChange.id))
    )
    return {change.tip_id: change.before or "" for change in session.exec(statement).all()}


def hand_changes_at(*, session: Session, moments: Collection[datetime]) -> dict[datetime, int]:
    """How many changes by hand were logged at each of these moments (one reload's batch)."""
    if not moments:
        return {}
    statement = select(TipChange.changed_at).where(
        col(TipChange.changed_by).is_(None), col(TipChange.changed_at).in_(list(moments))
    )
    counts: dict[datetime, int] = {}
    for moment in session.exec(statement).all():
        counts[moment] = counts.get(moment, 0) + 1
    return counts


def add_web_link(*, session: Session, link: WebLink) -> None:
    session.add(link)
    session.commit()


def use_web_link(*, session: Session, digest: str, now: datetime) -> int | None:
    """Mark an unused, unexpired link used and return its admin; None if it is not (any more)."""
    result = session.exec(
        update(WebLink)
        .where(
            col(WebLink.digest) == digest,
            col(WebLink.used_at).is_(None),
            col(WebLink.expires_at) > now,
        )
        .values(used_at=now)
    )
    session.commit()
    if result.rowcount != 1:
        return None
    link = session.exec(select(WebLink).where(col(WebLink.digest) == digest)).one()
    return int(link.admin_id)


def web_name_of(*, session: Session, admin_id: int) -> str:
    """The name an admin had when they last asked for a sign-in link ("" if never)."""
    statement = (
        select(WebLink.admin_name)
        .where(col(WebLink.admin_id) == admin_id)
        .order_by(col(WebLink.id).desc())
        .limit(1)
    )
    return session.exec(statement).first() or ""


def delete_old_web_links(*, session: Session, admin_id: int, before: datetime) -> None:
    """Links that expired before `before`, except this admin's newest (it keeps their name)."""
    newest = select(func.max(WebLink.id)).where(col(WebLink.admin_id) == admin_id).scalar_subquery()
    session.exec(delete(WebLink).where(col(WebLink.expires_at) <= before, col(WebLink.id) != newest))
    session.commit()
