"""API schemas of the investment app. Amounts are 万元 and travel as strings; dates as YYYY-MM-DD."""

from __future__ import annotations

from datetime import date as Date
from decimal import Decimal

from ninja import Field, Schema

from kaifaqu.core.params import Day, Id, reference
from kaifaqu.core.privacy import api_phone
from kaifaqu.projects.choices import ProjectType, PromotionMethod

from .choices import EventKind, LeadStage

Amount = Decimal | str  # a number or its text: text is parsed with a Chinese message when it is not a number


class LeadOut(Schema):
    id: int
    company: str
    project_name: str
    project_type: ProjectType
    credit_code: str | None = None
    contact: str
    phone: str = Field(..., description="联系电话：负责该线索的人员可见完整号码，其他人员为脱敏号码（如138****4321）")
    chain: str | None = None
    investment: Decimal | None
    zone: str | None = Field(None, description="开发区代码")
    zone_name: str | None = None
    city: str | None = None
    city_code: str | None = None
    source_event: int | None = Field(None, alias="source_event_id")
    source_event_name: str | None = None
    method: str
    stage: LeadStage
    received_on: Date
    contacted_on: Date | None
    visited_on: Date | None
    negotiating_on: Date | None
    signed_on: Date | None
    lost_on: Date | None
    lost_reason: str
    owner_unit: str
    owner: str | None = None
    next_action: str
    next_action_on: Date | None
    note: str
    converted_project: int | None = Field(None, alias="converted_project_id")
    converted_project_code: str | None = None
    version: int

    @staticmethod
    def resolve_phone(obj, context) -> str:
        return api_phone(obj, context)

    @staticmethod
    def resolve_credit_code(obj) -> str | None:
        return obj.enterprise.credit_code if obj.enterprise_id else None

    @staticmethod
    def resolve_chain(obj) -> str | None:
        return obj.chain.name if obj.chain_id else None

    @staticmethod
    def resolve_zone(obj) -> str | None:
        return obj.zone.code if obj.zone_id else None

    @staticmethod
    def resolve_zone_name(obj) -> str | None:
        return obj.zone.name if obj.zone_id else None

    @staticmethod
    def resolve_city(obj) -> str | None:
        return obj.city.name if obj.city_id else None

    @staticmethod
    def resolve_city_code(obj) -> str | None:
        return obj.city.code if obj.city_id else None

    @staticmethod
    def resolve_source_event_name(obj) -> str | None:
        return obj.source_event.name if obj.source_event_id else None

    @staticmethod
    def resolve_owner_unit(obj) -> str:
        return obj.owner_unit.name

    @staticmethod
    def resolve_owner(obj) -> str | None:
        return obj.owner.username if obj.owner_id else None

    @staticmethod
    def resolve_converted_project_code(obj) -> str | None:
        return obj.converted_project.code if obj.converted_project_id else None


class LeadCreated(LeadOut):
    possible_duplicates: list[int] = Field(default_factory=list,
                                           description="同一企业的其他线索（不同开发区或不同意向），供核对")


class LeadPage(Schema):
    items: list[LeadOut]
    count: int = Field(..., description="符合条件的线索数（`count_exact` 为 false 时为估算值）")
    count_exact: bool = Field(True, description="count 是否精确：筛选结果超过一万条时为估算值")
    investment: Decimal | None = Field(..., description="意向投资额合计（万元）；count 为估算值时为 null")


class LeadIn(Schema):
    """A new lead. `zone` is the zone's code, `chain` the chain's name, `owner` a username; `confirm` saves it
    even when the same company and intent is already a lead in that zone."""

    company: str = Field(..., min_length=1, max_length=200)
    project_name: str = Field("", max_length=200)
    project_type: ProjectType = ProjectType.INDUSTRIAL
    credit_code: str = Field("", max_length=18)
    contact: str = Field("", max_length=50)
    phone: str = Field("", max_length=30)
    chain: reference(50) = None
    investment: Amount | None = Field(None, description="意向投资额（万元）")
    zone: reference(20) = None
    source_event: Id | None = None
    method: PromotionMethod | None = None
    owner: reference(150) = None
    next_action: str = Field("", max_length=200)
    next_action_on: Day | None = None
    received_on: Day | None = None
    note: str = Field("", max_length=2000)
    confirm: bool = False


class DuplicateOut(Schema):
    detail: str
    duplicates: list[int]


class AdvanceIn(Schema):
    stage: LeadStage
    date: Day
    reason: str = Field("", max_length=300)
    version: int | None = None


class NoteIn(Schema):
    text: str = Field(..., max_length=2000)
    on: Day | None = None
    next_action: str | None = Field(None, max_length=200)
    next_action_on: Day | None = None


class NoteOut(Schema):
    id: int
    kind: str
    on: Date
    text: str


class FunnelOut(Schema):
    date_from: Date
    date_to: Date
    city: str | None
    events: int
    negotiating: int
    negotiating_investment: Decimal
    negotiating_big: int
    signed: int
    signed_investment: Decimal
    city_signed_projects: int | None
    city_signed_investment: Decimal | None
    signed_share: Decimal | None = Field(None, description="签约项目占全市招商引资项目的百分比")
    signed_investment_share: Decimal | None = Field(None, description="签约投资占全市招商引资投资额的百分比")
    links: dict[str, str]


class EventOut(Schema):
    id: int
    name: str
    date: Date
    city: str = Field(..., alias="city.name")
    city_code: str = Field(..., alias="city.code")
    kind: EventKind
    venue: str
    organiser: str = Field(..., alias="organiser.name")
    note: str
    version: int


class EventPage(Schema):
    items: list[EventOut]
    count: int


class EventIn(Schema):
    """A new event; `city` is a city's code or name, `organiser` an org unit's code (default: your unit)."""

    name: str = Field(..., min_length=1, max_length=200)
    date: Day
    city: str = Field(..., max_length=20)
    kind: EventKind
    venue: str = Field("", max_length=100)
    organiser: str | None = Field(None, max_length=40)
    note: str = Field("", max_length=2000)
