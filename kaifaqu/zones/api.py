"""/api/v1/zones: the zones in the caller's scope."""

from decimal import Decimal

from django.shortcuts import get_object_or_404
from ninja import Field, Query, Router, Schema

from kaifaqu.core.params import Id, Offset

from .choices import ZoneKind, ZoneLevel
from .models import Zone
from .selectors import zone_list

router = Router(tags=["开发区"])


class ZoneOut(Schema):
    id: int
    code: str
    name: str
    short_name: str
    level: ZoneLevel
    kind: str
    city: str | None = Field(None, alias="city.name")
    city_code: str | None = Field(None, alias="city.code")
    county: str | None = Field(None, alias="county.name")
    province: str | None = Field(None, alias="province.name")
    approved_on: str | None = Field(None, description="批准时间 YYYY-MM")
    approved_area_ha: Decimal | None = Field(None, description="核准面积（公顷）")
    planned_area_km2: Decimal | None = Field(None, description="规划面积（平方公里）")
    industries: list[str] = Field(..., alias="industry_list")
    source: str

    @staticmethod
    def resolve_approved_on(obj: Zone) -> str | None:
        return obj.approved_on.strftime("%Y-%m") if obj.approved_on else None


class ZoneFilters(Schema):
    city: str | None = Field(None, max_length=20, description="市：区划代码（140300）或名称（阳泉市）")
    level: ZoneLevel | None = None
    kind: ZoneKind | None = None
    q: str | None = Field(None, max_length=50, description="名称、简称、代码或拼音首字母")
    limit: int = Field(50, ge=1, le=500)
    offset: Offset = 0


class ZonePage(Schema):
    items: list[ZoneOut]
    count: int


@router.get("", response=ZonePage, summary="开发区列表（按权限范围）")
def zones_list(request, filters: Query[ZoneFilters]):
    qs = zone_list(user=request.user, city=filters.city, level=filters.level, kind=filters.kind, q=filters.q)
    return {"items": list(qs[filters.offset : filters.offset + filters.limit]), "count": qs.count()}


@router.get("/{int:zone_id}", response=ZoneOut, summary="开发区详情")
def zone_detail(request, zone_id: Id):
    return get_object_or_404(zone_list(user=request.user), pk=zone_id)
