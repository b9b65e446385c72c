"""The project ledger in Excel (SPEC §11): import (all-or-nothing, dry run, upsert, scope), export that imports
back unchanged with hostile strings neutralised, the template, and the 三未 workbook."""

import io
import re
import sys
import threading
import zipfile
from datetime import date, timedelta
from decimal import Decimal

import pytest
import xlsxwriter
from django.db import IntegrityError, connection, models
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from kaifaqu.core.changelog import snapshot
from kaifaqu.core.excel import Column, OfficeWorkbook
from kaifaqu.core.models import ObjectChange
from kaifaqu.projects.choices import Batch, ProjectType, Stage
from kaifaqu.projects.ledger import (
    COLUMNS,
    MAX_UPLOAD_BYTES,
    LedgerImportError,
    ledger_export,
    ledger_import,
    ledger_template,
    three_un_export,
)
from kaifaqu.projects.models import CampaignEntry, Project, StageEvent
from kaifaqu.projects.selectors import ProjectFilters, project_list, three_un
from kaifaqu.projects.services import _stage_events_for
from kaifaqu.zones.models import IndustryChain, Park, Zone
from tests.factories import CampaignEntryFactory, CampaignFactory, ProjectFactory

pytestmark = pytest.mark.django_db

ZONE = "S147007"  # 阳泉经济技术开发区, written by yq-etdz
OTHER_ZONE = "X140300-01"  # 阳泉高新区, same city, invisible to yq-etdz
HOSTILE = ['=HYPERLINK("http://x","y")', "+cmd", "@SUM(A1)", "-1+1", "=1+2|cmd", "a & <b> _x0041_"]
DATE_FORMAT = {"num_format": "yyyy-mm-dd"}


# ---- helpers --------------------------------------------------------------------------------------------------------

def base_row(n: int = 1, **values) -> dict:
    """A valid row: a signed industrial project in 阳泉经开区."""
    row = {"项目名称": f"导入测试项目{n}", "所属开发区": ZONE, "项目类型": "产业项目",
           "总投资(万元)": Decimal("12345.67"), "当前阶段": "签约", "签约日期": date(2024, 3, 15)}
    row.update(values)
    return row


def workbook(rows: list[dict], *, headers: list[str] | None = None, above: list[list] = (),
             merge_above: bool = False) -> bytes:
    """An .xlsx with `above` rows (titles, blanks), a header row and one row per dict (None = blank cell)."""
    if headers is None:
        keys = {k for r in rows for k in r}
        headers = [c.label for c in COLUMNS if c.label in keys] + sorted(keys - {c.label for c in COLUMNS})
    buf = io.BytesIO()
    book = xlsxwriter.Workbook(buf, {"in_memory": True, "strings_to_formulas": False, "strings_to_numbers": False})
    sheet, fmt = book.add_worksheet("台账"), book.add_format(DATE_FORMAT)
    for r, line in enumerate(above):
        if merge_above and line:
            sheet.merge_range(r, 0, r, len(headers) - 1, line[0])
        else:
            for c, value in enumerate(line):
                sheet.write(r, c, value)
    top = len(above)
    for c, header in enumerate(headers):
        sheet.write_string(top, c, header)
    for r, row in enumerate(rows, start=top + 1):
        for c, header in enumerate(headers):
            put(sheet, r, c, row.get(header), fmt)
    book.close()
    return buf.getvalue()


def put(sheet, r: int, c: int, value, fmt) -> None:
    if value is None:
        return
    if isinstance(value, date):
        sheet.write_datetime(r, c, value, fmt)
    elif isinstance(value, Decimal | int | float):
        sheet.write_number(r, c, value)
    else:
        sheet.write_string(r, c, str(value))


def refused(user, data: bytes) -> list[str]:
    """Import `data`, expect a refusal that writes nothing, and return its messages."""
    before = (Project.objects.count(), ObjectChange.objects.count(), StageEvent.objects.count(),
              CampaignEntry.objects.count())
    with pytest.raises(LedgerImportError) as exc:
        ledger_import(user=user, data=data)
    after = (Project.objects.count(), ObjectChange.objects.count(), StageEvent.objects.count(),
             CampaignEntry.objects.count())
    assert after == before
    return [str(e) for e in exc.value.errors]


def sheet_xml(data: bytes, n: int = 1) -> str:
    """Sheet n's XML with each shared-string cell written out as the inline string it stands for, so a test can
    read a cell's text where the cell is."""
    book = zipfile.ZipFile(io.BytesIO(data))
    xml = book.read(f"xl/worksheets/sheet{n}.xml").decode()
    if "xl/sharedStrings.xml" not in book.namelist():
        return xml
    strings = re.findall(r"<si>(.*?)</si>", book.read("xl/sharedStrings.xml").decode(), re.S)
    return re.sub(r' t="s"><v>(\d+)</v>', lambda m: f' t="inlineStr"><is>{strings[int(m.group(1))]}</is>', xml)


@pytest.fixture
def operator(user_of):
    return user_of("yq-etdz")


@pytest.fixture
def campaign(db):
    return CampaignFactory(name="2024年第一次“三个一批”活动", date=date(2024, 3, 10))


# ---- a valid file ---------------------------------------------------------------------------------------------------

def full_row(campaign) -> dict:
    amounts = {"累计完成投资(万元)": Decimal("2000.5"), "年度计划投资(万元)": Decimal("3000"),
               "预计年产值(万元)": Decimal("50000.25"), "新增就业(人)": 320, "用地面积(亩)": Decimal("150.5")}
    return base_row(
        1, 项目编号=None, 所属园区="东区科技园", 建设单位="阳泉某某新材料有限公司",
        统一社会信用代码="91350100M000100Y43", 所属产业链="新材料", 是否战略性新兴产业="是", **amounts,
        当前阶段="开工", 签约日期="2023/5/20", 开工日期="2023年9月1日", 计划开工日期=date(2023, 8, 1),
        计划投产日期="2025.6.30", 计划达产日期="2026-06-30", 是否承诺制="是", 是否标准地="否", 领办领导="张三",
        代办员="李四", 招商方式="产业链招商", 三个一批活动=campaign.name, 批次="开工一批", 备注="重点项目")


def test_a_valid_file_creates_projects_with_every_field(operator, campaign):
    data = workbook([full_row(campaign), base_row(2, 项目类型="基础设施", 当前阶段="谋划", 签约日期=None)])
    report = ledger_import(user=operator, data=data)
    assert (report.created, report.updated, report.unchanged, report.campaign_entries) == (2, 0, 0, 1)
    p = Project.objects.get(name="导入测试项目1")
    assert re.fullmatch(r"XM\d{8}", p.code)
    assert (p.zone.code, p.park.name, p.builder, p.builder_credit_code, p.type, p.chain.name) == (
        ZONE, "东区科技园", "阳泉某某新材料有限公司", "91350100M000100Y43", ProjectType.INDUSTRIAL, "新材料")
    assert (p.strategic_emerging, p.total_investment, p.completed_investment, p.annual_planned_investment,
            p.expected_annual_output, p.jobs, p.land_mu) == (
        True, Decimal("12345.67"), Decimal("2000.50"), Decimal("3000.00"), Decimal("50000.25"), 320,
        Decimal("150.50"))
    assert (p.stage, p.signed_on, p.started_on, p.producing_on, p.planned_start_on, p.planned_production_on,
            p.planned_capacity_on) == (Stage.STARTED, date(2023, 5, 20), date(2023, 9, 1), None, date(2023, 8, 1),
                                       date(2025, 6, 30), date(2026, 6, 30))
    assert (p.commitment_system, p.standard_land, p.lead_official, p.agent_name, p.promotion_method, p.note) == (
        True, False, "张三", "李四", "产业链招商", "重点项目")
    entry = CampaignEntry.objects.get(project=p)
    assert (entry.campaign, entry.batch, entry.investment_at_listing) == (campaign, Batch.START, Decimal("12345.67"))
    assert list(p.stage_events.values_list("stage", "date", "user__username")) == [
        ("signed", date(2023, 5, 20), "yq-etdz"), ("started", date(2023, 9, 1), "yq-etdz")]
    other = Project.objects.get(name="导入测试项目2")
    assert (other.type, other.stage, other.signed_on) == (ProjectType.INFRASTRUCTURE, Stage.RESERVE, None)
    assert list(other.stage_events.values_list("stage", flat=True)) == ["reserve"]
    log = ObjectChange.objects.filter(object_id=str(p.pk), content_type__model="project").get()
    assert (log.action, log.user.username, log.prechange_data, log.postchange_data) == (
        "create", "yq-etdz", None, snapshot(p))
    entry_log = ObjectChange.objects.get(content_type__model="campaignentry", object_id=str(entry.pk))
    assert (entry_log.object_repr, entry_log.postchange_data, entry_log.request_id) == (
        str(entry), snapshot(entry), log.request_id)
    for project in (p, other):  # the same stage history as a project entered through the services
        assert [(e.stage, e.date, e.note) for e in project.stage_events.all()] == [
            (e.stage, e.date, e.note) for e in _stage_events_for(project, operator)]
    assert [r["action"] for r in report.rows] == ["create", "create"]
    assert report.rows[0]["row"] == 2 and report.rows[0]["code"] == p.code and report.rows[0]["zone"] == p.zone.name


def test_dry_run_reports_the_same_and_writes_nothing(operator, campaign):
    data = workbook([full_row(campaign), base_row(2)])
    counts = (Project.objects.count(), ObjectChange.objects.count(), StageEvent.objects.count(),
              CampaignEntry.objects.count())
    dry = ledger_import(user=operator, data=data, dry_run=True)
    assert (Project.objects.count(), ObjectChange.objects.count(), StageEvent.objects.count(),
            CampaignEntry.objects.count()) == counts
    assert (dry.created, dry.updated, dry.unchanged, dry.campaign_entries, dry.dry_run) == (2, 0, 0, 1, True)
    assert [(r["row"], r["code"], r["action"]) for r in dry.rows] == [(2, "", "create"), (3, "", "create")]
    real = ledger_import(user=operator, data=data)
    assert (real.created, real.updated, real.unchanged, real.campaign_entries, real.dry_run) == (2, 0, 0, 1, False)


@pytest.mark.parametrize("render", [True, False])  # the change log built by the database, or by Python
def test_a_row_with_a_code_updates_that_project_and_logs_before_and_after(operator, monkeypatch, render):
    monkeypatch.setattr("kaifaqu.projects.ledger.writing._database_renders", lambda: render)
    project = ProjectFactory(code="T-UPD-1", name="旧名称", total_investment=Decimal("100"))
    before = snapshot(Project.objects.get(pk=project.pk))  # as stored: timestamps as the database keeps them
    data = workbook([base_row(1, 项目编号="T-UPD-1", 项目名称="新名称", 当前阶段="开工", 签约日期=date(2023, 3, 1),
                              开工日期=date(2024, 1, 2))])
    report = ledger_import(user=operator, data=data)
    assert (report.created, report.updated, report.unchanged) == (0, 1, 0)
    assert ("项目名称", "旧名称", "新名称") in report.rows[0]["changes"]
    assert ("当前阶段", "签约", "开工") in report.rows[0]["changes"]
    project.refresh_from_db()
    assert (project.name, project.total_investment, project.stage, project.started_on, project.version) == (
        "新名称", Decimal("12345.67"), Stage.STARTED, date(2024, 1, 2), 2)
    log = ObjectChange.objects.filter(content_type__model="project", object_id=str(project.pk), action="update").get()
    assert (log.prechange_data["name"], log.postchange_data["name"]) == ("旧名称", "新名称")
    assert (log.prechange_data["total_investment"], log.postchange_data["total_investment"]) == ("100.00",
                                                                                                 "12345.67")
    changed = {"name", "total_investment", "stage", "started_on", "version", "updated_at"}
    after = snapshot(project)  # the log keeps what changed, as a save does (`changelog.changed_only`)
    assert log.prechange_data == {k: before[k] for k in changed}
    assert log.postchange_data == {k: after[k] for k in changed}
    assert list(project.stage_events.values_list("stage", "date")) == [("started", date(2024, 1, 2))]


def test_a_row_without_a_code_updates_the_project_of_that_name_in_that_zone(operator):
    project = ProjectFactory(name="同名项目", total_investment=Decimal("500"))
    data = workbook([base_row(1, 项目编号=None, 项目名称="同名项目", 所属开发区="阳泉经济技术开发区",
                              签约日期=date(2023, 3, 1))])
    report = ledger_import(user=operator, data=data)
    assert (report.created, report.updated) == (0, 1)
    project.refresh_from_db()
    assert (project.code, project.total_investment) == (report.rows[0]["code"], Decimal("12345.67"))
    assert report.rows[0]["changes"] == [("总投资(万元)", Decimal("500.00"), Decimal("12345.67"))]


def test_updates_may_clear_values_and_move_projects_on(operator, campaign):
    first = ProjectFactory(code="U-1", note="旧备注", started_on=date(2023, 6, 1), stage=Stage.STARTED,
                           planned_production_on=date(2025, 1, 1), jobs=10, land_mu=Decimal("5.5"))
    second = ProjectFactory(code="U-2", builder="旧单位", strategic_emerging=True)
    rows = [base_row(1, 项目编号="U-1", 签约日期=date(2023, 3, 1), 开工日期=None, 计划投产日期=None, 备注=None,
                     **{"新增就业(人)": None, "用地面积(亩)": None}),
            base_row(2, 项目编号="U-2", 签约日期=date(2023, 3, 1), 建设单位="新单位", 是否战略性新兴产业="否",
                     当前阶段="投产", 开工日期=date(2023, 4, 1), 投产日期=date(2024, 2, 1))]
    report = ledger_import(user=operator, data=workbook(rows))
    assert (report.updated, report.created) == (2, 0)
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.stage, first.started_on, first.planned_production_on, first.note, first.jobs, first.land_mu,
            first.version) == (Stage.SIGNED, None, None, "", None, None, 2)
    assert (second.builder, second.strategic_emerging, second.stage, second.producing_on, second.version) == (
        "新单位", False, Stage.PRODUCING, date(2024, 2, 1), 2)
    assert list(second.stage_events.values_list("stage", "date", "note")) == [
        ("producing", date(2024, 2, 1), "台账导入")]


@pytest.mark.parametrize("block", [1, 10000])
def test_a_project_saved_meanwhile_is_not_overwritten(operator, monkeypatch, block):
    """Whether its row is in the first block written or a later one: the whole file is refused."""
    from kaifaqu.projects.ledger import importer

    monkeypatch.setattr(importer, "BLOCK", block)
    other = ProjectFactory(code="CALM-1", name="无人改动")
    project = ProjectFactory(code="RACE-1", name="原名称")
    load = importer._load_projects

    def load_then_someone_saves(*args):
        load(*args)  # the import checks the project as it was loaded
        Project.objects.filter(pk=project.pk).update(name="他人修改", version=2)

    monkeypatch.setattr(importer, "_load_projects", load_then_someone_saves)
    rows = [base_row(1), base_row(2, 项目编号="CALM-1", 项目名称="导入修改"),
            base_row(3, 项目编号="RACE-1", 项目名称="导入修改", 签约日期=date(2023, 3, 1))]
    with pytest.raises(LedgerImportError) as exc:
        ledger_import(user=operator, data=workbook(rows))
    assert [str(e) for e in exc.value.errors] == [
        "第4行 [项目编号]: 项目RACE-1（原名称）在本文件读取后已被他人修改（如另一次台账导入），"
        "请重新导出台账、核对后再导入"]
    assert not Project.objects.filter(name="导入测试项目1").exists()
    assert Project.objects.get(pk=other.pk).name == "无人改动"  # (updated in an earlier block, rolled back)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLite checks keys at commit, past a test's end")
def test_a_chain_deleted_meanwhile_refuses_the_file(operator, monkeypatch):
    from kaifaqu.projects.ledger import importer

    chain = IndustryChain.objects.create(name="将被删除的产业链")
    lookups = importer._lookups

    def lookups_then_delete(*args):
        found = lookups(*args)
        IndustryChain.objects.filter(pk=chain.pk).delete()  # (its projects would be unlinked; it has none yet)
        return found

    monkeypatch.setattr(importer, "_lookups", lookups_then_delete)
    assert refused(operator, workbook([base_row(1, 所属产业链="将被删除的产业链"), base_row(2)])) == [
        "写入时数据已被他人同时修改，请重新导入（未写入任何数据）"]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the pipeline of statements is PostgreSQL's")
def test_rows_that_fail_to_be_built_mid_write_stop_the_pipeline_and_write_nothing(operator, monkeypatch):
    """The write's second thread is told to abandon a COPY whose rows could not be made, is joined, and the
    transaction rolls back: the error comes out, nothing hangs, nothing is written."""
    def broken(model, rows):
        yield from ()
        raise RuntimeError("快照出错")

    monkeypatch.setattr("kaifaqu.projects.ledger.writing.snapshot_texts", broken)
    before = Project.objects.count(), ObjectChange.objects.count(), StageEvent.objects.count()
    with pytest.raises(RuntimeError, match="快照出错"):
        ledger_import(user=operator, data=workbook([base_row(1), base_row(2)]))
    assert (Project.objects.count(), ObjectChange.objects.count(), StageEvent.objects.count()) == before
    assert [t.name for t in threading.enumerate() if t.name == "ledger-write"] == []


def test_a_key_refused_by_the_database_refuses_the_file(operator, monkeypatch):
    def write_then_fail(*args):
        raise IntegrityError("FOREIGN KEY constraint failed")  # as the database reports a zone deleted meanwhile

    monkeypatch.setattr("kaifaqu.projects.ledger.writing._Writer.planned", write_then_fail)
    assert refused(operator, workbook([base_row(1)])) == ["写入时数据已被他人同时修改，请重新导入（未写入任何数据）"]


def test_an_unknown_code_creates_a_project_with_that_code(operator):
    report = ledger_import(user=operator, data=workbook([base_row(1, 项目编号="YQ-2024-001")]))
    assert report.created == 1
    assert Project.objects.get(code="YQ-2024-001").name == "导入测试项目1"


def test_the_code_of_a_project_the_user_cannot_see_is_not_revealed(operator, zone_by_code):
    ProjectFactory(code="HIDDEN-1", zone=zone_by_code(OTHER_ZONE))
    messages = refused(operator, workbook([base_row(1, 项目编号="HIDDEN-1")]))
    assert messages == ["第2行 [项目编号]: 项目编号不存在或无权修改"]
    assert messages == refused(operator, workbook([base_row(1, 项目编号="HIDDEN-1")]))


# ---- round trip ------------------------------------------------------------------------------------------------------

def tricky_projects(campaign) -> list[Project]:
    zone_chain = IndustryChain.objects.get(name="光伏")
    park = Park.objects.get(zone__code=ZONE, name="东区工业园")
    projects = [
        ProjectFactory(name=HOSTILE[0], builder=HOSTILE[1], note=HOSTILE[2], total_investment=Decimal("12345.67"),
                       completed_investment=Decimal("0.01"), park=park, chain=zone_chain, strategic_emerging=True,
                       builder_credit_code="91350100M000100Y43", jobs=12, land_mu=Decimal("99.99"),
                       promotion_method="以商招商", lead_official=HOSTILE[3], agent_name="+86 138",
                       stage=Stage.AT_CAPACITY, signed_on=date(2021, 1, 4), started_on=date(2021, 6, 1),
                       producing_on=date(2022, 12, 31), at_capacity_on=date(2023, 12, 31),
                       planned_start_on=date(2021, 5, 1), planned_production_on=date(2022, 10, 1),
                       planned_capacity_on=date(2023, 10, 1), commitment_system=True, standard_land=True),
        ProjectFactory(name=HOSTILE[3], note=HOSTILE[4], builder=HOSTILE[5], total_investment=Decimal("9999999.99"),
                       type=ProjectType.PUBLIC_SERVICE, stage=Stage.TERMINATED, signed_on=date(2022, 2, 2),
                       terminated_on=date(2023, 2, 2), termination_reason="=企业撤资"),
        ProjectFactory(name="普通项目", stage=Stage.NEGOTIATING, signed_on=None,
                       total_investment=Decimal("0.10"), annual_planned_investment=Decimal("1234567.89"),
                       expected_annual_output=Decimal("0.00")),
    ]
    CampaignEntryFactory(project=projects[0], campaign=campaign, batch=Batch.PRODUCE)
    older = CampaignFactory(name="2023年第二次“三个一批”活动", date=date(2023, 9, 1))
    CampaignEntryFactory(project=projects[0], campaign=older, batch=Batch.START)
    return projects


def test_export_then_import_changes_nothing(operator, campaign):
    projects = tricky_projects(campaign)
    ids = [p.pk for p in projects]
    before = list(Project.objects.filter(pk__in=ids).order_by("pk").values())
    counts = (ObjectChange.objects.count(), StageEvent.objects.count(), CampaignEntry.objects.count())
    listed = project_list(user=operator, filters=ProjectFilters(), today=timezone.localdate())
    assert sorted(listed.values_list("pk", flat=True)) == sorted(ids)
    data = ledger_export(projects=listed)
    report = ledger_import(user=operator, data=data)
    assert (report.created, report.updated, report.unchanged, report.campaign_entries) == (0, 0, 3, 0)
    assert [r["changes"] for r in report.rows] == [[], [], []]
    assert list(Project.objects.filter(pk__in=ids).order_by("pk").values()) == before
    assert (ObjectChange.objects.count(), StageEvent.objects.count(), CampaignEntry.objects.count()) == counts


def test_export_writes_hostile_strings_as_text_never_formulas(campaign):
    projects = tricky_projects(campaign)
    data = ledger_export(projects=Project.objects.filter(pk__in=[p.pk for p in projects]).order_by("code"))
    xml = sheet_xml(data)
    assert "<f>" not in xml and "<f " not in xml
    for text in ['=HYPERLINK("http://x","y")', "+cmd", "@SUM(A1)", "-1+1", "=1+2|cmd", "=企业撤资"]:
        assert re.search(r'<c r="[A-Z]+\d+" s="(\d+)" t="inlineStr"><is><t>' + re.escape(text) + "</t>", xml), text
    quoted = set(re.findall(r'<c r="[A-Z]+\d+" s="(\d+)" t="inlineStr"><is><t>[=+@-]', xml))
    styles = zipfile.ZipFile(io.BytesIO(data)).read("xl/styles.xml").decode()
    xfs = re.findall(r"<xf [^>]*>", styles.split("<cellXfs")[1])
    assert quoted and all('quotePrefix="1"' in xfs[int(s)] for s in quoted)
    assert "<t>a &amp; &lt;b&gt; _x005F_x0041_</t>" in xml


def test_export_layout_title_unit_total_and_latest_campaign(campaign):
    projects = tricky_projects(campaign)
    data = ledger_export(projects=Project.objects.filter(pk__in=[p.pk for p in projects]).order_by("code"))
    xml = sheet_xml(data)
    shared = zipfile.ZipFile(io.BytesIO(data)).read("xl/sharedStrings.xml").decode()
    assert "<t>项目台账</t>" in shared and "<t>单位：万元</t>" in shared and "<t>序号</t>" in shared
    assert '<pane xSplit="3" ySplit="3" topLeftCell="D4" activePane="bottomRight" state="frozen"/>' in xml
    assert '<mergeCell ref="A1:AH1"/>' in xml
    total_row = re.search(r'<row r="7">(.*?)</row>', xml).group(1)
    assert "<t>合计</t>" in total_row and "<t>共3个项目</t>" in total_row
    assert "<v>10012345.76</v>" in total_row  # 12345.67 + 9999999.99 + 0.10
    first = re.search(r'<row r="4">(.*?)</row>', xml).group(1)
    assert campaign.name in first and "投产一批" in first
    assert f"<v>{(date(2021, 1, 4) - date(1899, 12, 30)).days}</v>" in first


# ---- all or nothing -------------------------------------------------------------------------------------------------

def test_ten_thousand_good_rows_and_one_bad_row_write_nothing(operator):
    rows = [base_row(n) for n in range(10_000)]
    rows.insert(7_000, base_row(99_999, **{"总投资(万元)": "一千万"}))
    messages = refused(operator, workbook(rows, above=[["项目台账"], []], merge_above=True))
    assert messages == ["第7004行 [总投资(万元)]: “一千万”不是数字"]


def test_an_error_found_after_blocks_were_written_writes_nothing(operator, monkeypatch):
    """Each block of rows checked is written while the next is checked; a row with an error further down
    refuses the file all the same, and the blocks written before it are rolled back — codes taken included."""
    from kaifaqu.core.models import Sequence

    monkeypatch.setattr("kaifaqu.projects.ledger.importer.BLOCK", 2)
    campaign = CampaignFactory(name="2024年第二次")
    rows = [base_row(n, 三个一批活动=campaign.name, 批次="签约一批") for n in range(1, 6)]
    rows.append(base_row(6, 所属产业链="不存在的链"))
    codes_before = list(Sequence.objects.values_list("name", "value"))
    assert refused(operator, workbook(rows)) == ["第7行 [所属产业链]: 产业链“不存在的链”不存在"]
    assert list(Sequence.objects.values_list("name", "value")) == codes_before


@pytest.mark.parametrize("block", [1, 2, 20000])
def test_blocks_of_any_size_write_the_same_rows(operator, monkeypatch, block):
    """New projects, their history, listings and log, and changed projects, whatever the blocks they were
    checked and written in."""
    monkeypatch.setattr("kaifaqu.projects.ledger.importer.BLOCK", block)
    campaign = CampaignFactory(name="2024年第二次")
    existing = ProjectFactory(code="OLD-1", name="已有项目")
    rows = [base_row(1, 三个一批活动=campaign.name, 批次="签约一批"),
            base_row(2, 项目编号="OLD-1", 项目名称="已有项目改名", 三个一批活动=campaign.name, 批次="开工一批",
                     当前阶段="开工", 签约日期="2024-01-01", 开工日期="2024-02-01"),
            base_row(3, 当前阶段="开工", 开工日期=date(2024, 4, 1)),
            base_row(4, 项目编号="YQ-OWN-4")]
    report = ledger_import(user=operator, data=workbook(rows))
    assert (report.created, report.updated, report.campaign_entries) == (3, 1, 2)
    new = list(Project.objects.exclude(pk=existing.pk).order_by("pk"))
    assert [p.name for p in new] == ["导入测试项目1", "导入测试项目3", "导入测试项目4"]
    assert new[2].code == "YQ-OWN-4" and re.fullmatch(r"XM\d{8}", new[0].code)
    assert int(new[1].code[2:]) == int(new[0].code[2:]) + 1  # consecutive: none taken and left unused
    assert [list(p.stage_events.values_list("stage", "date")) for p in new] == [
        [("signed", date(2024, 3, 15))], [("signed", date(2024, 3, 15)), ("started", date(2024, 4, 1))],
        [("signed", date(2024, 3, 15))]]
    assert [ObjectChange.objects.for_object(p).get().action for p in new] == ["create"] * 3
    existing.refresh_from_db()
    assert (existing.name, existing.stage, existing.version) == ("已有项目改名", Stage.STARTED, 2)
    assert sorted(CampaignEntry.objects.values_list("project__name", "batch")) == [
        ("导入测试项目1", "sign"), ("已有项目改名", "start")]
    assert ObjectChange.objects.filter(content_type__model="campaignentry").count() == 2
    assert (new[0].sign_listed_on, existing.start_listed_on) == (campaign.date, campaign.date)


def test_codes_of_rows_that_turn_out_to_update_are_given_back(operator):
    """Codes are taken before the check for every row without one; a row that names an existing project (by
    name and zone) uses none, and the next new project gets the next code."""
    ledger_import(user=operator, data=workbook([base_row(1)]))
    first = Project.objects.get(name="导入测试项目1").code
    ledger_import(user=operator, data=workbook([base_row(1, 备注="改了备注")]))  # by name: an update
    ledger_import(user=operator, data=workbook([base_row(2)]))
    assert int(Project.objects.get(name="导入测试项目2").code[2:]) == int(first[2:]) + 1


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the pipeline of statements is PostgreSQL's")
def test_a_query_while_the_pipeline_holds_the_connection_is_refused():
    """This thread's queries would interleave with the pipeline's statements on the one connection."""
    from kaifaqu.projects.ledger.bulk import _Pipeline

    switch = sys.getswitchinterval()
    with pytest.raises(RuntimeError, match="pipeline holds the connection"), _Pipeline([Project]):
        assert sys.getswitchinterval() < switch  # (the GIL handed over sooner meanwhile)
        Project.objects.count()
    assert Project.objects.count() >= 0  # (the connection is this thread's again)
    assert sys.getswitchinterval() == switch


def test_pipelines_that_overlap_put_the_switch_interval_back_when_the_last_ends():
    """Two imports in two of the server's threads: the first to end does not restore the interval under the
    second, and the last leaves it as it found it."""
    from kaifaqu.projects.ledger.bulk import SWITCH_INTERVAL, _switching

    switch = sys.getswitchinterval()
    _switching.enter()
    _switching.enter()
    _switching.leave()
    assert sys.getswitchinterval() == pytest.approx(SWITCH_INTERVAL)
    _switching.leave()
    assert sys.getswitchinterval() == switch


@pytest.mark.parametrize("block", [1, 10000])
def test_every_error_of_every_row_is_listed(operator, monkeypatch, block):
    """Whether the rows are parsed and checked in one block or one by one."""
    monkeypatch.setattr("kaifaqu.projects.ledger.importer.BLOCK", block)
    rows = [base_row(1, 项目类型="工业", 当前阶段="筹建"), base_row(2),
            base_row(3, 所属开发区="火星开发区", 签约日期="2024-13-01"), base_row(4, 项目名称=None)]
    assert refused(operator, workbook(rows)) == [
        "第2行 [项目类型]: “工业”无效，应为：产业项目、基础设施、公共配套、其他",
        "第2行 [当前阶段]: “筹建”无效，应为：谋划、在谈、签约、开工、投产、达产、终止",
        "第4行 [所属开发区]: 开发区“火星开发区”不存在或不在您的管辖范围内",
        "第4行 [签约日期]: 日期“2024-13-01”不存在",
        "第5行 [项目名称]: 必填，不能为空",
    ]


# ---- bad input: a clear Chinese message, nothing written -------------------------------------------------------

def test_a_zone_of_another_unit_is_refused(operator, user_of):
    jinzhong = Zone.objects.filter(city__code="140700").order_by("code").first()
    assert refused(operator, workbook([base_row(1, 所属开发区=jinzhong.code)])) == [
        f"第2行 [所属开发区]: 开发区“{jinzhong.code}”不存在或不在您的管辖范围内"]
    assert refused(operator, workbook([base_row(1, 所属开发区=OTHER_ZONE)])) == [
        f"第2行 [所属开发区]: 开发区“{OTHER_ZONE}”不存在或不在您的管辖范围内"]
    assert refused(operator, workbook([base_row(1, 所属开发区="阳泉高新区")])) == [
        "第2行 [所属开发区]: 开发区“阳泉高新区”不存在或不在您的管辖范围内"]
    # a reviewer may enter projects nowhere: refused before the file is read
    assert refused(user_of("yangquan"), workbook([base_row(1)])) == ["您无权导入项目台账：只有填报人员和管理员可以导入"]


def test_a_zone_may_be_given_by_code_name_or_short_name(operator, zone_by_code):
    zone = zone_by_code(ZONE)
    rows = [base_row(1), base_row(2, 所属开发区=zone.name), base_row(3, 所属开发区=zone.short_name)]
    assert ledger_import(user=operator, data=workbook(rows)).created == 3
    assert set(Project.objects.filter(name__startswith="导入测试项目").values_list("zone__code", flat=True)) == {ZONE}


def test_stage_and_date_rules_come_from_the_services(operator):
    rows = [
        base_row(1, 当前阶段="开工", 签约日期=date(2024, 3, 15), 开工日期=date(2024, 3, 1)),
        base_row(2, 项目类型="基础设施", 当前阶段="达产", 签约日期=date(2021, 1, 1), 开工日期=date(2021, 2, 1),
                 投产日期=date(2022, 1, 1), 达产日期=date(2023, 1, 1)),
        base_row(3, 当前阶段="投产", 签约日期=None),
        base_row(4, 签约日期=timezone.localdate() + timedelta(days=3)),
        base_row(5, 当前阶段="终止", 签约日期=None),
    ]
    tomorrow3 = timezone.localdate() + timedelta(days=3)
    assert refused(operator, workbook(rows)) == [
        "第2行 [开工日期]: 开工日期（2024-03-01）不能早于签约日期（2024-03-15）",
        "第3行 [当前阶段]: 只有产业项目才有“达产”阶段",
        "第3行 [达产日期]: 只有产业项目才有达产日期",
        "第4行 [投产日期]: 当前阶段为投产，请填写投产日期",
        f"第5行 [签约日期]: 签约日期（{tomorrow3}）不能晚于今天",
        "第6行 [备注]: 终止的项目应填写终止原因",
    ]


def test_a_terminated_project_takes_its_reason_from_the_note_without_a_reason_column(operator):
    row = base_row(1, 当前阶段="终止", 备注="企业资金链断裂")
    ledger_import(user=operator, data=workbook([row]))
    project = Project.objects.get(name="导入测试项目1")
    assert (project.stage, project.termination_reason, project.note) == (Stage.TERMINATED, "企业资金链断裂",
                                                                         "企业资金链断裂")
    assert list(project.stage_events.values_list("stage", "note")) == [("signed", ""), ("terminated", "企业资金链断裂")]


def test_duplicates_within_a_file_are_refused_on_the_later_row(operator):
    rows = [base_row(1, 项目编号="DUP-1"), base_row(2, 项目编号="DUP-1"), base_row(3), base_row(3)]
    assert refused(operator, workbook(rows)) == [
        "第3行 [项目编号]: 项目编号“DUP-1”与第2行重复",
        "第5行 [项目名称]: 与第4行的项目同名（同一开发区），请填写项目编号",
    ]


def test_a_code_row_and_a_name_row_for_the_same_project_are_refused(operator):
    ProjectFactory(code="SAME-1", name="同一个项目")
    rows = [base_row(1, 项目编号="SAME-1", 项目名称="同一个项目"), base_row(2, 项目名称="同一个项目")]
    assert refused(operator, workbook(rows)) == ["第3行 [项目编号]: 与第2行是同一个项目"]


def test_campaign_columns_are_checked(operator, campaign):
    listed = ProjectFactory(code="LISTED-1", name="已铺排项目")
    CampaignEntryFactory(project=listed, campaign=campaign, batch=Batch.SIGN)
    rows = [base_row(1, 三个一批活动="不存在的活动", 批次="签约一批"), base_row(2, 三个一批活动=campaign.name),
            base_row(3, 批次="开工一批"),
            base_row(4, 项目编号="LISTED-1", 项目名称="已铺排项目", 签约日期=date(2023, 3, 1),
                     三个一批活动=campaign.name, 批次="开工一批")]
    assert refused(operator, workbook(rows)) == [
        "第2行 [三个一批活动]: 三个一批活动“不存在的活动”不存在，请先创建活动或核对名称",
        "第3行 [批次]: 填写了三个一批活动，请同时填写批次",
        "第4行 [三个一批活动]: 填写了批次，请同时填写三个一批活动",
        f"第5行 [批次]: 该项目已列入“{campaign.name}”的签约一批，同一活动只能列入一次",
    ]


def test_an_existing_listing_in_the_same_batch_is_no_change(operator, campaign):
    listed = ProjectFactory(code="LISTED-2", name="已铺排项目", total_investment=Decimal("12345.67"))
    CampaignEntryFactory(project=listed, campaign=campaign, batch=Batch.SIGN)
    row = base_row(1, 项目编号="LISTED-2", 项目名称="已铺排项目", 签约日期=date(2023, 3, 1), 三个一批活动=campaign.name,
                   批次="签约一批")
    report = ledger_import(user=operator, data=workbook([row]))
    assert (report.updated, report.unchanged, report.campaign_entries) == (0, 1, 0)


def test_an_unchanged_project_may_be_listed_in_a_new_campaign(operator, campaign):
    ProjectFactory(code="LIST-3", name="新铺排项目", total_investment=Decimal("12345.67"))
    row = base_row(1, 项目编号="LIST-3", 项目名称="新铺排项目", 签约日期=date(2023, 3, 1), 三个一批活动=campaign.name,
                   批次="签约")
    report = ledger_import(user=operator, data=workbook([row]))
    assert (report.updated, report.unchanged, report.campaign_entries) == (0, 1, 1)
    assert CampaignEntry.objects.get(project__code="LIST-3").batch == Batch.SIGN


def test_cell_values_are_checked(operator):
    rows = [base_row(1, 统一社会信用代码="91350100M000100Y44", 是否承诺制="可能", **{"新增就业(人)": 1.5}),
            base_row(2, 项目名称="", **{"总投资(万元)": -5, "用地面积(亩)": "很大"}),
            base_row(3, 领办领导="长" * 51),
            # a bad note, on a terminated project whose reason the note would give: still one clear message
            base_row(4, 当前阶段="终止", 终止日期=date(2024, 6, 1), 备注="长" * 501)]
    assert refused(operator, workbook(rows)) == [
        "第2行 [统一社会信用代码]: 统一社会信用代码校验位不正确",
        "第2行 [新增就业(人)]: 应为整数",
        "第2行 [是否承诺制]: “可能”应填写“是”或“否”",
        "第3行 [项目名称]: 必填，不能为空",
        "第3行 [总投资(万元)]: 不能为负数",
        "第3行 [用地面积(亩)]: “很大”不是数字",
        "第4行 [领办领导]: 不能超过50个字",
        "第5行 [备注]: 不能超过500个字",
    ]


@pytest.mark.parametrize(("data", "message"), [
    (b"", "文件为空，请选择填好的Excel文件"),
    (b"hello", "无法读取：文件不是有效的Excel文件（仅支持.xlsx格式），或已损坏"),
    (b"\x89PNG\r\n\x1a\n" + bytes(200), "无法读取：文件不是有效的Excel文件（仅支持.xlsx格式），或已损坏"),
    (b"PK\x03\x04" + bytes(100), "无法读取：文件已损坏，请重新保存后上传"),
])
def test_a_file_that_is_not_a_workbook_is_refused(operator, data, message):
    assert refused(operator, data) == [message]


def test_a_truncated_workbook_is_refused(operator):
    data = workbook([base_row(1)])
    assert refused(operator, data[: len(data) // 2]) == ["无法读取：文件已损坏，请重新保存后上传"]


def test_a_file_over_20_mb_is_refused_by_its_size(operator, monkeypatch):
    def never(*args, **kwargs):
        raise AssertionError("a file over the limit must not be parsed")

    monkeypatch.setattr("kaifaqu.core.excel.CalamineWorkbook.from_filelike", never)
    data = b"PK\x03\x04" + bytes(50 * 1024 * 1024)
    assert len(data) > MAX_UPLOAD_BYTES
    assert refused(operator, data) == ["文件过大：不能超过40MB"]


def test_a_file_over_the_row_limit_is_refused(operator, monkeypatch):
    monkeypatch.setattr("kaifaqu.projects.ledger.reading.MAX_ROWS", 3)
    assert refused(operator, workbook([base_row(n) for n in range(4)])) == [
        "数据行过多：一次最多导入3行，请拆分后分批导入"]


def test_headers_without_rows_and_a_missing_header_or_column_are_refused(operator):
    assert refused(operator, workbook([], headers=[c.label for c in COLUMNS])) == [
        "文件中没有数据：表头下方没有项目行"]
    assert refused(operator, workbook([{"名称": "x"}], headers=["名称", "开发区"])) == [
        "未找到表头：前100行中没有“项目名称”列"]
    headers = ["项目名称", "所属开发区", "项目类型", "当前阶段"]
    assert refused(operator, workbook([base_row(1)], headers=headers, above=[["标题"]])) == [
        "第2行 [总投资(万元)]: 表头缺少必填列“总投资(万元)”"]


def test_title_rows_merged_cells_blank_rows_and_a_total_row_are_skipped(operator):
    rows = [base_row(1), {}, base_row(2), {"项目名称": "合计", "总投资(万元)": Decimal("24691.34")}]
    above = [["阳泉经开区2024年重点项目台账"], [], ["单位：万元"], [None, None]]
    data = workbook(rows, above=above, merge_above=True)
    report = ledger_import(user=operator, data=data)
    assert [(r["row"], r["name"]) for r in report.rows] == [(6, "导入测试项目1"), (8, "导入测试项目2")]


def test_headers_are_matched_loosely_and_columns_may_come_in_any_order(operator):
    headers = ["当前阶段 *", "总投资（万元）*", "项目名称*", "所属开发区", "项目类型", "签约日期", "备注", "自定义列"]
    row = base_row(1, 备注="顺序无关", 自定义列="忽略")
    row["当前阶段 *"], row["总投资（万元）*"], row["项目名称*"] = row.pop("当前阶段"), row.pop("总投资(万元)"), \
        row.pop("项目名称")
    assert ledger_import(user=operator, data=workbook([row], headers=headers)).created == 1
    project = Project.objects.get(name="导入测试项目1")
    assert (project.total_investment, project.note) == (Decimal("12345.67"), "顺序无关")


def test_dates_may_be_written_in_the_usual_ways(operator):
    texts = ["2024-03-15", "2024/3/15", "2024年3月15日", "2024.3.15", "20240315", 45366]
    rows = [base_row(n, 签约日期=text) for n, text in enumerate(texts)]
    ledger_import(user=operator, data=workbook(rows))
    assert set(Project.objects.filter(name__startswith="导入测试项目").values_list("signed_on", flat=True)) == {
        date(2024, 3, 15)}


def queries(user, rows: list[dict], dry_run: bool) -> int:
    with CaptureQueriesContext(connection) as ctx:
        ledger_import(user=user, data=workbook(rows), dry_run=dry_run)
    return len(ctx.captured_queries)


def test_the_import_reads_in_a_fixed_number_of_queries_and_writes_in_batches(operator, campaign):
    ProjectFactory(code="Q-OLD-1")
    small = [base_row(1, 项目编号="Q-OLD-1", 三个一批活动=campaign.name, 批次="签约一批"), base_row(2)]
    large = small + [base_row(n, 项目编号=f"Q-{n}" if n % 2 else None) for n in range(3, 300)]
    assert queries(operator, small, dry_run=True) == queries(operator, large, dry_run=True)
    assert queries(operator, large, dry_run=False) < 300 / 5


# ---- template and 三未 ----------------------------------------------------------------------------------------------

def test_the_template_has_drop_downs_and_instructions(operator):
    data = ledger_template()
    files = zipfile.ZipFile(io.BytesIO(data)).namelist()
    assert "xl/worksheets/sheet2.xml" in files
    xml = sheet_xml(data)
    assert xml.count("<dataValidation ") == 13  # 7 drop-down lists, 6 number checks
    for values in ['"产业项目,基础设施,公共配套,其他"', '"谋划,在谈,签约,开工,投产,达产,终止"',
                   '"签约一批,开工一批,投产一批"', '"以商招商,情谊招商,产业链招商,推介会招商,其他"', '"是,否"']:
        assert f"<formula1>{values}</formula1>" in xml
    workbook_xml = zipfile.ZipFile(io.BytesIO(data)).read("xl/workbook.xml").decode()
    assert 'name="项目台账"' in workbook_xml and 'name="填写说明"' in workbook_xml
    shared = zipfile.ZipFile(io.BytesIO(data)).read("xl/sharedStrings.xml").decode()
    assert "<t>项目名称*</t>" in shared and "<t>项目编号</t>" in shared
    assert refused(operator, data) == ["文件中没有数据：表头下方没有项目行"]


def test_three_un_export_has_three_sheets(user_of, campaign):
    project = ProjectFactory(name="签而未落项目", signed_on=date(2024, 1, 5), planned_start_on=date(2024, 2, 1))
    CampaignEntryFactory(project=project, campaign=campaign, batch=Batch.SIGN)
    user, since, as_of = user_of("province"), date(2024, 1, 1), date(2024, 3, 31)
    lists = three_un(user=user, since=since, as_of=as_of)
    data = three_un_export(lists=lists, since=since, as_of=as_of, scope_label="山西省")
    workbook_xml = zipfile.ZipFile(io.BytesIO(data)).read("xl/workbook.xml").decode()
    assert re.findall(r'<sheet name="([^"]+)"', workbook_xml) == ["签而未落", "落而未投", "投而未效"]
    shared = zipfile.ZipFile(io.BytesIO(data)).read("xl/sharedStrings.xml").decode()
    assert "三个一批“三未”项目清单（截至2024年3月31日）" in shared
    xml = sheet_xml(data)
    row = re.search(r'<row r="4">(.*?)</row>', xml).group(1)
    assert all(text in row for text in ("签而未落项目", "签约一批", "<t>是</t>", "<v>59</v>", "<v>86</v>"))
    assert "<t>共1个项目</t>" in xml and "<v>10000.00</v>" in xml



# ---- the office layout writer ----------------------------------------------------------------------------------

def test_office_sheets_have_two_level_headers_a_total_row_and_text_kept_as_text():
    book = OfficeWorkbook()
    sheet = book.add_sheet("调度表", title="经济运行调度表", unit="单位：亿元、%", count_column="开发区",
                           count_label="共{n}个", columns=[Column("开发区", width=20), ("规上工业增加值", [
                               Column("累计", "money", total=True), Column("增速", "number")]), Column("备注")])
    sheet.append(["阳泉经开区", Decimal("12.34"), Decimal("-5.10"), "=cmd|' /C calc'!A0"])
    sheet.append(["晋中经开区", Decimal("0.66"), None, ""])
    xml = sheet_xml(book.close())
    assert ['<mergeCell ref="A1:E1"/>', '<mergeCell ref="A2:E2"/>', '<mergeCell ref="A3:A4"/>',
            '<mergeCell ref="B3:B4"/>', '<mergeCell ref="C3:D3"/>', '<mergeCell ref="E3:E4"/>'] == re.findall(
        r"<mergeCell [^>]*/>", xml)
    assert 'ySplit="4"' in xml and '<dimension ref="A1:E7"/>' in xml
    assert "<v>-5.10</v>" in xml and "<t>=cmd|' /C calc'!A0</t>" in xml and "<f>" not in xml
    total = re.search(r'<row r="7">(.*?)</row>', xml).group(1)
    assert "<t>合计</t>" in total and "<t>共2个</t>" in total and "<v>13.00</v>" in total
    assert total.count("<v>") == 1  # the growth rate column is not summed


@pytest.mark.parametrize("render", [True, False])
def test_both_ways_of_writing_new_projects_history_make_the_same_rows(operator, monkeypatch, render):
    """The stage history of new projects is built by the database (SQLite) or by Python (PostgreSQL): either way
    it is the rows `services._stage_events_for` makes, in stage order; run both on this database."""
    monkeypatch.setattr("kaifaqu.projects.ledger.writing._database_renders", lambda: render)
    today = timezone.localdate()
    rows = [base_row(1, 项目名称="谈判中", 当前阶段="在谈", 签约日期=None),
            base_row(2, 项目名称="已达产", 当前阶段="达产", 签约日期="2023-01-01", 开工日期="2023-06-01",
                     投产日期="2024-01-01", 达产日期="2024-06-01"),
            base_row(3, 项目名称="已终止", 当前阶段="终止", 终止日期=today - timedelta(days=3), 终止原因="资金未落实")]
    report = ledger_import(user=operator, data=workbook(rows))
    assert report.created == 3
    for project in Project.objects.filter(name__in=["谈判中", "已达产", "已终止"]):
        expected = [(e.stage, e.date, e.note, operator.pk) for e in _stage_events_for(project, operator)]
        assert list(project.stage_events.values_list("stage", "date", "note", "user")) == expected
        log = ObjectChange.objects.for_object(project).get()
        assert (log.action, log.object_repr, log.postchange_data) == ("create", project.name, snapshot(project))


def test_the_list_tally_is_exact_after_an_import_and_its_triggers_stay(operator):
    """SQLite's import writes without the tally's row triggers and recounts once (tally.suspended); PostgreSQL's
    statement triggers keep it. Either way the tally agrees with the table after an import that created and
    updated projects, and after a refused one, and the triggers are in place for the next write."""
    from kaifaqu.core import tally
    from kaifaqu.projects.models import ProjectTally

    ledger_import(user=operator, data=workbook([base_row(1), base_row(2, 当前阶段="开工", 开工日期=date(2024, 4, 1))]))
    updated = workbook([base_row(1, **{"总投资(万元)": Decimal("20000")}), base_row(3)])
    assert (ledger_import(user=operator, data=updated).created, tally.drift(ProjectTally)) == (1, [])
    refused(operator, workbook([base_row(4), base_row(5, 项目类型="工业")]))
    assert tally.drift(ProjectTally) == [] and tally._installed(ProjectTally)
    ProjectFactory(zone=Zone.objects.get(code=ZONE))  # a write after the imports: kept by the triggers again
    assert tally.drift(ProjectTally) == []
    zone = Zone.objects.get(code=ZONE)
    kept = ProjectTally.objects.filter(zone_id=zone.pk).aggregate(n=models.Sum("count"))["n"]
    assert kept == Project.objects.filter(zone=zone).count() == 4
