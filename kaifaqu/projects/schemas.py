"""API schemas of the projects app (SPEC §12 field names)."""

from datetime import date as Date
from decimal import Decimal

from ninja import Field, Schema

from kaifaqu.core.params import Day, Id, PatchIn, reference

from .choices import Batch, CampaignLevel, ProjectType, PromotionMethod, Stage
from .models import Project

Money = Decimal  # 万元, travels as a string


class ProjectOut(Schema):
    id: int
    code: str
    name: str
    zone: str = Field(..., description="开发区代码")
    zone_name: str
    park: str | None = None
    builder: str
    builder_credit_code: str
    type: ProjectType
    chain: str | None = None
    strategic_emerging: bool
    total_investment: Money
    completed_investment: Money
    annual_planned_investment: Money | None
    expected_annual_output: Money | None
    jobs: int | None
    land_mu: Decimal | None
    stage: Stage
    signed_on: Date | None
    started_on: Date | None
    producing_on: Date | None
    at_capacity_on: Date | None
    planned_start_on: Date | None
    planned_production_on: Date | None
    planned_capacity_on: Date | None
    terminated_on: Date | None
    termination_reason: str
    commitment_system: bool
    standard_land: bool
    lead_official: str
    agent_name: str
    promotion_method: str
    in_statistics: bool
    note: str
    version: int

    # Resolvers rather than dotted aliases ("zone.code"): ninja resolves an alias it cannot get as an attribute
    # through a template Variable, parsed anew for each field of each row — a fifth of a 50-project page's time.
    @staticmethod
    def resolve_zone(obj: Project) -> str:
        return obj.zone.code

    @staticmethod
    def resolve_zone_name(obj: Project) -> str:
        return obj.zone.name

    @staticmethod
    def resolve_park(obj: Project) -> str | None:
        return obj.park.name if obj.park_id else None

    @staticmethod
    def resolve_chain(obj: Project) -> str | None:
        return obj.chain.name if obj.chain_id else None


class ProjectIn(Schema):
    """A new project; `zone` is the zone's code. Amounts in 万元."""

    code: str | None = Field(None, max_length=40)
    name: str = Field(..., min_length=1, max_length=200)
    zone: str = Field(..., max_length=20)
    park: reference(100) = None
    builder: str = Field("", max_length=200)
    builder_credit_code: str = Field("", max_length=18)
    type: ProjectType
    chain: reference(50) = None
    strategic_emerging: bool = False
    total_investment: Decimal = Field(..., ge=0, max_digits=16, decimal_places=2)
    completed_investment: Decimal = Field(Decimal(0), ge=0, max_digits=16, decimal_places=2)
    annual_planned_investment: Decimal | None = Field(None, ge=0, max_digits=16, decimal_places=2)
    expected_annual_output: Decimal | None = Field(None, ge=0, max_digits=16, decimal_places=2)
    jobs: int | None = Field(None, ge=0, le=10_000_000)
    land_mu: Decimal | None = Field(None, ge=0, max_digits=12, decimal_places=2)
    stage: Stage
    signed_on: Day | None = None
    started_on: Day | None = None
    producing_on: Day | None = None
    at_capacity_on: Day | None = None
    terminated_on: Day | None = None
    termination_reason: str = Field("", max_length=300)
    planned_start_on: Day | None = None
    planned_production_on: Day | None = None
    planned_capacity_on: Day | None = None
    commitment_system: bool = False
    standard_land: bool = False
    lead_official: str = Field("", max_length=50)
    agent_name: str = Field("", max_length=50)
    promotion_method: PromotionMethod | None = None
    in_statistics: bool = False
    note: str = Field("", max_length=500)


class ProjectPatch(PatchIn):
    """Fields to change; `version` is the version the client last read (a stale one is refused with 409)."""

    version: int
    name: str = Field(None, min_length=1, max_length=200)
    park: reference(100) = None
    builder: str = Field(None, max_length=200)
    builder_credit_code: str = Field(None, max_length=18)
    type: ProjectType = None
    chain: reference(50) = None
    strategic_emerging: bool = None
    total_investment: Decimal = Field(None, ge=0, max_digits=16, decimal_places=2)
    completed_investment: Decimal = Field(None, ge=0, max_digits=16, decimal_places=2)
    annual_planned_investment: Decimal | None = Field(None, ge=0, max_digits=16, decimal_places=2)
    expected_annual_output: Decimal | None = Field(None, ge=0, max_digits=16, decimal_places=2)
    jobs: int | None = Field(None, ge=0, le=10_000_000)
    land_mu: Decimal | None = Field(None, ge=0, max_digits=12, decimal_places=2)
    signed_on: Day | None = None
    started_on: Day | None = None
    producing_on: Day | None = None
    at_capacity_on: Day | None = None
    planned_start_on: Day | None = None
    planned_production_on: Day | None = None
    planned_capacity_on: Day | None = None
    commitment_system: bool = None
    standard_land: bool = None
    lead_official: str = Field(None, max_length=50)
    agent_name: str = Field(None, max_length=50)
    promotion_method: PromotionMethod | None = None
    in_statistics: bool = None
    note: str = Field(None, max_length=500)


class TransitionIn(Schema):
    """A stage move; `version`, when given, refuses a move made on a project saved since (409)."""

    stage: str = Field(..., max_length=20)
    date: Day | None = None
    reason: str = Field("", max_length=300)
    version: int | None = Field(None, ge=0, le=2**31 - 1, description="读取时的版本号（可选）；过期时返回409")


class ProjectPage(Schema):
    items: list[ProjectOut]
    count: int = Field(..., description="符合条件的项目数（`count_exact` 为 false 时为估算值）")
    count_exact: bool = Field(True, description="count 是否精确：筛选结果超过一万条时为估算值")
    total_investment: Money | None = Field(..., description="总投资合计（万元）；count 为估算值时为 null")
    completed_investment: Money | None = Field(..., description="累计完成投资合计（万元）；count 为估算值时为 null")


class CampaignOut(Schema):
    id: int
    name: str
    date: Date
    level: CampaignLevel


class CampaignIn(Schema):
    name: str = Field(..., min_length=1, max_length=100)
    date: Day
    level: CampaignLevel = CampaignLevel.PROVINCE


class EntryIn(Schema):
    project: Id | str = Field(..., description="项目 id 或项目编号")
    batch: Batch


class EntryOut(Schema):
    id: int
    campaign: int = Field(..., alias="campaign_id")
    project: int = Field(..., alias="project_id")
    project_code: str = Field(..., alias="project.code")
    batch: Batch
    investment_at_listing: Money


class ImportReportOut(Schema):
    created: int
    updated: int
    unchanged: int
    campaign_entries: int
    dry_run: bool
