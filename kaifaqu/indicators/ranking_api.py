"""/api/v1/rankings (SPEC §12): a scheme's ranking in a month, scoped to the caller."""

from __future__ import annotations

from decimal import Decimal

from django.shortcuts import get_object_or_404
from ninja import Field, Query, Router, Schema

from kaifaqu.core.params import Id, Month, Offset

from .api import parse_month
from .models import AssessmentScheme
from .ranking import ItemColumn, ItemScore, RankingResult, RankingRow, ranking

router = Router(tags=["考核排名"])


class RankingQuery(Schema):
    scheme: Id = Field(..., description="考核方案ID")
    month: Month
    city: str | None = Field(None, max_length=20, description="市：区划代码或名称")
    limit: int | None = Field(None, ge=1, le=5000)
    offset: Offset = 0


def _text(value: Decimal | None) -> str | None:
    return None if value is None else str(value)


def column_out(c: ItemColumn) -> dict:
    return {"id": c.id, "name": c.name, "category": c.category, "indicator": c.indicator, "measure": c.measure,
            "weight": _text(c.weight), "unit": c.unit, "min": _text(c.minimum), "max": _text(c.maximum),
            "reported": c.reported}


def score_out(s: ItemScore) -> dict:
    return {"item": s.name, "item_id": s.item_id, "value": _text(s.value), "unit": s.unit, "score": _text(s.score),
            "weight": _text(s.weight), "missing": s.missing, "note": s.note}


def row_out(r: RankingRow) -> dict:
    return {"zone": r.code, "zone_name": r.name, "city": r.city, "score": _text(r.score), "rank": r.rank,
            "previous_rank": r.previous_rank, "change": r.change, "top_ten": r.top_ten,
            "items": [score_out(s) for s in r.items]}


def ranking_out(result: RankingResult, *, limit: int | None, offset: int) -> dict:
    rows = result.rows[offset:offset + limit] if limit is not None else result.rows[offset:]
    return {"scheme": {"id": result.scheme.pk, "name": result.scheme.name, "year": result.scheme.year},
            "month": result.month.strftime("%Y-%m"),
            "previous_month": result.previous_month.strftime("%Y-%m") if result.previous_month else None,
            "group_size": result.group_size, "columns": [column_out(c) for c in result.columns],
            "count": len(result.rows), "items": [row_out(r) for r in rows]}


@router.get("", summary="考核排名：功效系数法综合得分、名次、较上月变化、前十强、单项得分")
def rankings(request, query: Query[RankingQuery]):
    """Scores are computed over the scheme's whole zone group; the caller gets the zones in their scope."""
    month = parse_month(query.month)
    scheme = get_object_or_404(AssessmentScheme, pk=query.scheme)
    result = ranking(scheme=scheme, month=month, user=request.user, city=query.city)
    return ranking_out(result, limit=query.limit, offset=query.offset)
