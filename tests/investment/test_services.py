"""Lead writes: duplicates refused unless confirmed, stages only forward (or lost, with a reason), conversion
carries every field once; refused writes change nothing; events and city totals stay in scope."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from kaifaqu.accounts.choices import Role
from kaifaqu.core.credit_code import check_character
from kaifaqu.core.models import ObjectChange
from kaifaqu.investment import services
from kaifaqu.investment.choices import LeadStage, NoteKind
from kaifaqu.investment.models import CityPromotionTotal, Lead, LeadNote, PromotionEvent
from kaifaqu.investment.selectors import lead_duplicates
from kaifaqu.projects.choices import ProjectType, PromotionMethod, Stage
from kaifaqu.projects.models import Project, StageEvent
from kaifaqu.zones.models import Enterprise, IndustryChain, Region
from tests.investment.conftest import _user
from tests.investment.factories import EventFactory, LeadFactory

pytestmark = pytest.mark.django_db
CODE = "91140700MA0K1234A" + check_character("91140700MA0K1234A")


def state() -> tuple:
    """Everything a refused write must leave as it was."""
    leads = sorted(Lead.objects.values_list("pk", "stage", "version", "company", "investment", "converted_project"))
    return (leads, LeadNote.objects.count(), Project.objects.count(), Enterprise.objects.count(),
            ObjectChange.objects.count(), PromotionEvent.objects.count(), CityPromotionTotal.objects.count())


# ---- create and duplicates -----------------------------------------------------------------------------------

def test_create_derives_city_and_enterprise_and_starts_the_timeline(promoters, zone_by_code):
    lead = services.lead_create(user=promoters["jz"], company=" 山西大恒新能源有限公司 ", credit_code=CODE.lower(),
                                project_name="大恒光伏组件项目", zone=zone_by_code("X140700-01"),
                                investment=Decimal("120000"), chain=IndustryChain.objects.get(name="光伏"))
    assert (lead.company, lead.company_key, lead.city.code, lead.stage) == (
        "山西大恒新能源有限公司", "山西大恒新能源", "140700", LeadStage.LEAD)
    assert (lead.owner, lead.owner_unit, lead.received_on) == (
        promoters["jz"], promoters["jz"].org_unit, timezone.localdate())
    assert lead.enterprise.credit_code == CODE and lead.enterprise.name == "山西大恒新能源有限公司"
    assert list(lead.notes.values_list("kind", flat=True)) == [NoteKind.CREATED]
    assert ObjectChange.objects.for_object(lead).get().action == "create"


@pytest.mark.parametrize("spelling", ["山西大恒新能源有限公司", "山西 大恒新能源有限责任公司",
                                      "山西大恒新能源（有限公司）"])
def test_same_company_and_intent_in_the_same_zone_is_refused_unless_confirmed(promoters, zone_by_code, spelling):
    zone = zone_by_code("X140700-01")
    first = services.lead_create(user=promoters["jz"], company="山西大恒新能源有限公司", zone=zone,
                                 project_name="大恒光伏组件项目")
    before = state()
    with pytest.raises(services.DuplicateLead, match="可能重复") as refused:
        services.lead_create(user=promoters["jz"], company=spelling, zone=zone, project_name="大恒 光伏组件")
    assert refused.value.duplicates == [first] and refused.value.status == 409
    assert state() == before
    second = services.lead_create(user=promoters["jz"], company=spelling, zone=zone, project_name="大恒光伏组件项目",
                                  confirm=True)
    assert second.company_key == first.company_key


def test_another_zone_or_intent_is_a_possible_duplicate_but_not_refused(promoters, zone_by_code):
    first = services.lead_create(user=promoters["jz-city"], company="山西大恒新能源有限公司",
                                 zone=zone_by_code("X140700-01"), project_name="大恒光伏组件项目")
    elsewhere = services.lead_create(user=promoters["jz-city"], company="山西大恒新能源（有限公司）",
                                     zone=zone_by_code("G141062"), project_name="大恒光伏组件项目")
    other_intent = services.lead_create(user=promoters["jz-city"], company="山西 大恒新能源有限责任公司",
                                        zone=zone_by_code("X140700-01"), project_name="大恒储能电站项目")
    found = lead_duplicates(user=promoters["jz-city"], company="山西大恒新能源股份有限公司",
                            zone=zone_by_code("X140700-01"), project_name="大恒光伏组件项目")
    assert {d.pk: d.exact for d in found} == {first.pk: True, elsewhere.pk: False, other_intent.pk: False}
    assert lead_duplicates(user=promoters["yq"], company="山西大恒新能源有限公司") == []  # out of scope: not shown


@pytest.mark.parametrize(("values", "error", "message"), [
    ({"zone": "G141062"}, services.LeadError, "开发区不存在或无权访问"),  # 晋中经开区: not the promoter's zone
    ({"zone": "S147007"}, services.LeadError, "开发区不存在或无权访问"),  # 阳泉
    ({"investment": Decimal("-1")}, services.LeadError, "意向投资额不能为负数"),
    ({"investment": "一亿"}, services.LeadError, "意向投资额应为数字"),
    ({"investment": Decimal("1e15")}, services.LeadError, "意向投资额过大"),
    ({"company": "  "}, services.LeadError, "请填写企业名称"),
    ({"credit_code": CODE[:17] + ("0" if CODE[17] != "0" else "1")}, services.LeadError, "校验位不正确"),
    ({"method": "电话招商"}, services.LeadError, "未知的招商方式"),
    ({"received_on": date.today() + timedelta(days=3)}, services.LeadError, "不能晚于今天"),
])
def test_bad_input_is_refused_in_chinese_and_writes_nothing(promoters, zone_by_code, values, error, message):
    if "zone" in values:
        values = {**values, "zone": zone_by_code(values["zone"])}
    before = state()
    with pytest.raises(error, match=message):
        services.lead_create(user=promoters["jz"], **{"company": "山西测试科技有限公司", **values})
    assert state() == before


def test_viewers_and_reviewers_cannot_enter_leads(promoters, user_of, zone_by_code):
    before = state()
    for user in (promoters["jz-viewer"], user_of("jinzhong")):
        with pytest.raises(services.NotPermitted):
            services.lead_create(user=user, company="山西测试科技有限公司")
        with pytest.raises(services.NotPermitted, match="无权办理"):
            services.lead_create(user=user, company="山西测试科技有限公司", zone=zone_by_code("X140700-01"))
    assert state() == before


def test_credit_code_of_another_company_is_refused(promoters):
    Enterprise.objects.create(name="山西光存信息科技有限公司", credit_code=CODE)
    with pytest.raises(services.LeadError, match="已登记为“山西光存信息科技有限公司”"):
        services.lead_create(user=promoters["jz"], company="山西大恒新能源有限公司", credit_code=CODE)
    lead = services.lead_create(user=promoters["jz"], company="山西光存信息科技（有限公司）", credit_code=CODE)
    assert lead.enterprise.name == "山西光存信息科技有限公司"


# ---- stages ----------------------------------------------------------------------------------------------------

def test_stages_go_forward_and_may_skip(promoters):
    lead = LeadFactory()
    services.lead_advance(user=promoters["jz"], lead=lead, stage="contacted", on=date(2024, 2, 1))
    lead = services.lead_advance(user=promoters["jz"], lead=lead, stage="negotiating", on=date(2024, 3, 1))
    assert (lead.stage, lead.contacted_on, lead.visited_on, lead.negotiating_on, lead.version) == (
        LeadStage.NEGOTIATING, date(2024, 2, 1), None, date(2024, 3, 1), 3)
    assert [n.text for n in lead.notes.filter(kind=NoteKind.STAGE).order_by("id")] == [
        "阶段变更：线索 → 接洽", "阶段变更：接洽 → 洽谈"]


@pytest.mark.parametrize(("start", "stage", "on", "reason", "message"), [
    ("negotiating", "visited", date(2024, 5, 1), "", "阶段不能倒退：从“洽谈”到“考察”"),
    ("negotiating", "lead", date(2024, 5, 1), "", "阶段不能倒退"),
    ("negotiating", "negotiating", date(2024, 5, 1), "", "已处于“洽谈”阶段"),
    ("negotiating", "lost", date(2024, 5, 1), "  ", "标记流失须填写原因"),
    ("negotiating", "signed", date(2024, 3, 1), "", "签约日期（2024-03-01）不能早于洽谈日期（2024-04-01）"),
    ("negotiating", "signed", date.today() + timedelta(days=1), "", "不能晚于今天"),
    ("negotiating", "signed", None, "", "请填写签约日期"),
    ("negotiating", "flying", date(2024, 5, 1), "", "未知的阶段"),
    ("signed", "negotiating", date(2024, 6, 1), "", "阶段不能倒退"),
])
def test_refused_moves_change_nothing(promoters, start, stage, on, reason, message):
    lead = LeadFactory(stage=start, contacted_on=date(2024, 2, 1), visited_on=date(2024, 3, 1),
                       negotiating_on=date(2024, 4, 1), signed_on=date(2024, 5, 20) if start == "signed" else None)
    before = state()
    with pytest.raises(services.LeadError, match=message):
        services.lead_advance(user=promoters["jz"], lead=lead, stage=stage, on=on, reason=reason)
    assert state() == before


def test_lost_needs_a_reason_records_where_and_is_final(promoters):
    lead = LeadFactory(stage=LeadStage.VISITED, visited_on=date(2024, 2, 1))
    lead = services.lead_advance(user=promoters["jz"], lead=lead, stage="lost", on=date(2024, 3, 1),
                                 reason="选址落户外省园区")
    assert (lead.stage, lead.lost_from, lead.lost_on, lead.lost_reason) == (
        LeadStage.LOST, LeadStage.VISITED, date(2024, 3, 1), "选址落户外省园区")
    with pytest.raises(services.Conflict, match="已流失"):
        services.lead_advance(user=promoters["jz"], lead=lead, stage="negotiating", on=date(2024, 4, 1))


@pytest.mark.parametrize(("missing", "message"), [("zone", "请先填写拟落地开发区"),
                                                  ("investment", "请先填写意向投资额")])
def test_signing_needs_the_zone_and_the_investment(promoters, missing, message):
    lead = LeadFactory(stage=LeadStage.NEGOTIATING, negotiating_on=date(2024, 4, 1), **{missing: None})
    before = state()
    with pytest.raises(services.LeadError, match=message):
        services.lead_advance(user=promoters["jz-city"], lead=lead, stage="signed", on=date(2024, 5, 1))
    assert state() == before


def test_stale_version_is_refused(promoters):
    lead = LeadFactory()
    services.lead_update(user=promoters["jz"], lead=lead, version=1, next_action="约企业来晋考察")
    before = state()
    with pytest.raises(services.Conflict, match="已被他人修改"):
        services.lead_update(user=promoters["jz"], lead=lead, version=1, company="改名")
    with pytest.raises(services.Conflict, match="已被他人修改"):
        services.lead_advance(user=promoters["jz"], lead=lead, stage="contacted", on=date(2024, 2, 1), version=1)
    assert state() == before


def test_update_keeps_the_derived_fields_and_signed_leads_keep_zone_and_investment(promoters, zone_by_code):
    lead = services.lead_update(user=promoters["jz-city"], lead=LeadFactory(), version=1,
                                company="山西 新名称（有限公司）", zone=zone_by_code("S147012"))
    assert (lead.company_key, lead.city.code, lead.version) == ("山西新名称", "140700", 2)
    signed = LeadFactory(signed=True)
    with pytest.raises(services.LeadError, match="须保留开发区和投资额"):
        services.lead_update(user=promoters["jz"], lead=signed, version=1, investment=None)


def test_a_note_sets_the_next_step(promoters):
    lead = LeadFactory()
    note = services.lead_note_add(user=promoters["jz"], lead=lead, text="赴企业总部洽谈", next_action="报送用地需求",
                                  next_action_on=date(2030, 1, 1))
    lead.refresh_from_db()
    assert (note.kind, note.user, lead.next_action, lead.next_action_on, lead.version) == (
        NoteKind.FOLLOW_UP, promoters["jz"], "报送用地需求", date(2030, 1, 1), 2)
    with pytest.raises(services.LeadError, match="请填写跟进情况"):
        services.lead_note_add(user=promoters["jz"], lead=lead, text=" ")
    with pytest.raises(services.NotPermitted):
        services.lead_note_add(user=promoters["yq"], lead=lead, text="越权")


# ---- conversion ------------------------------------------------------------------------------------------------

@pytest.fixture
def signed_lead(promoters):
    event = EventFactory(name="晋中开发区光伏产业链京津冀专题推介会", date=date(2024, 3, 8))
    lead = services.lead_create(user=promoters["jz"], company="山西大恒新能源科技有限公司", credit_code=CODE,
                                project_name="大恒100GW光伏垂直一体化项目", zone=event.city.city_zones.get(
                                    code="X140700-01"), investment=Decimal("450000"),
                                chain=IndustryChain.objects.get(name="光伏"), method=PromotionMethod.BY_FAIR,
                                source_event=event, received_on=date(2024, 3, 8))
    return services.lead_advance(user=promoters["jz"], lead=lead, stage="signed", on=date(2024, 6, 20))


def test_conversion_carries_every_field_and_records_the_lead(signed_lead):
    operator = _user("jz-operator", "X140700-01", Role.OPERATOR)
    project = services.lead_convert(user=operator, lead=signed_lead)
    carried = {f: getattr(project, f) for f in ["name", "zone_id", "builder", "builder_credit_code", "type",
                                                 "chain_id", "strategic_emerging", "total_investment", "stage",
                                                 "signed_on", "promotion_method"]}
    assert carried == {
        "name": "大恒100GW光伏垂直一体化项目", "zone_id": signed_lead.zone_id, "builder": "山西大恒新能源科技有限公司",
        "builder_credit_code": CODE, "type": ProjectType.INDUSTRIAL, "chain_id": signed_lead.chain_id,
        "strategic_emerging": True, "total_investment": Decimal("450000.00"), "stage": Stage.SIGNED,
        "signed_on": date(2024, 6, 20), "promotion_method": PromotionMethod.BY_FAIR}
    assert project.note == (f"由招商线索转入（线索{signed_lead.pk}：山西大恒新能源科技有限公司）；"
                            "来源活动：晋中开发区光伏产业链京津冀专题推介会（2024-03-08）；招商方式：推介会招商")
    assert project.code.startswith("XM")
    signed_lead.refresh_from_db()
    assert signed_lead.converted_project == project and project.lead == signed_lead
    assert list(StageEvent.objects.filter(project=project).values_list("stage", "date")) == [
        (Stage.SIGNED, date(2024, 6, 20))]
    assert signed_lead.notes.filter(kind=NoteKind.CONVERTED, text__contains=project.code).exists()


def test_conversion_is_refused_twice_and_before_signing(signed_lead):
    operator = _user("jz-operator", "X140700-01", Role.OPERATOR)
    project = services.lead_convert(user=operator, lead=signed_lead)
    unsigned = LeadFactory()
    before = state()
    with pytest.raises(services.Conflict, match=f"已转为项目{project.code}，不能重复转入") as refused:
        services.lead_convert(user=operator, lead=signed_lead)
    assert refused.value.status == 409
    with pytest.raises(services.Conflict, match="只有已签约的线索才能转为项目（当前阶段：线索）"):
        services.lead_convert(user=operator, lead=unsigned)
    with pytest.raises(services.Conflict, match="已转为项目"):
        services.lead_advance(user=operator, lead=signed_lead, stage="lost", on=timezone.localdate(), reason="x")
    assert state() == before


def test_conversion_needs_the_right_to_work_the_lead(signed_lead, promoters):
    before = state()
    with pytest.raises(services.LeadError, match="无权") as refused:
        services.lead_convert(user=promoters["jz-viewer"], lead=signed_lead)  # a viewer works no lead
    assert refused.value.status == 403
    assert state() == before


# ---- events and city totals -----------------------------------------------------------------------------------

def test_events_are_entered_in_scope(promoters):
    jinzhong = Region.objects.get(code="140700")
    event = services.event_create(user=promoters["jz"], name="晋中开发区储能产业推介会", date=date(2024, 5, 1),
                                  city=jinzhong, kind="推介会", venue="北京")
    assert (event.organiser, event.version) == (promoters["jz"].org_unit, 1)
    before = state()
    with pytest.raises(services.LeadError, match="同一市同一天已有同名活动"):
        services.event_create(user=promoters["jz"], name=" 晋中开发区储能产业推介会 ", date=date(2024, 5, 1),
                              city=jinzhong, kind="推介会")
    with pytest.raises(services.LeadError, match="所属市不存在或不在您的范围内"):
        services.event_create(user=promoters["yq"], name="越权", date=date(2024, 5, 1), city=jinzhong, kind="推介会")
    with pytest.raises(services.NotPermitted):
        services.event_create(user=promoters["jz-viewer"], name="无权", date=date(2024, 5, 1), city=jinzhong,
                              kind="推介会")
    with pytest.raises(services.LeadError, match="未知的活动类型"):
        services.event_create(user=promoters["jz"], name="类型错", date=date(2024, 5, 1), city=jinzhong, kind="酒会")
    assert state() == before
    services.event_update(user=promoters["jz"], event=event, version=1, venue="上海")
    with pytest.raises(services.Conflict):
        services.event_update(user=promoters["jz"], event=event, version=1, venue="天津")
    assert PromotionEvent.objects.get(pk=event.pk).venue == "上海"


def test_city_totals_are_entered_by_the_city(user_of, promoters):
    jinzhong = Region.objects.get(code="140700")
    total = services.city_total_set(user=user_of("jinzhong"), city=jinzhong, year=2024, signed_projects=48,
                                    signed_investment=Decimal("3221400"))
    assert (total.signed_projects, total.signed_investment) == (48, Decimal("3221400.00"))
    before = state()
    for user in (user_of("yangquan"), promoters["jz"], user_of("yq-etdz")):
        with pytest.raises(services.NotPermitted):
            services.city_total_set(user=user, city=jinzhong, year=2024, signed_projects=1,
                                    signed_investment=Decimal(1))
    with pytest.raises(services.LeadError, match="不能为负数"):
        services.city_total_set(user=user_of("jinzhong"), city=jinzhong, year=2024, signed_projects=48,
                                signed_investment=Decimal("-1"))
    assert state() == before


def test_a_zone_promoter_edits_a_lead_the_city_team_owns(promoters, zone_by_code):
    lead = services.lead_create(user=promoters["jz-city"], company="山西测试科技有限公司",
                                zone=zone_by_code("X140700-01"))
    assert lead.owner_unit == promoters["jz-city"].org_unit
    lead = services.lead_update(user=promoters["jz"], lead=lead, version=1, owner_unit=lead.owner_unit,
                                next_action="约企业来晋考察")
    assert (lead.next_action, lead.owner_unit, lead.version) == ("约企业来晋考察", promoters["jz-city"].org_unit, 2)
    with pytest.raises(services.NotPermitted, match="负责团队"):
        services.lead_update(user=promoters["jz"], lead=lead, version=2,
                             owner_unit=promoters["jz-city"].org_unit.parent)
