"""Enterprises: the credit-code check, the lookup by any part of a name or a code prefix (scoped), the name index
kept on save, and the registry's Excel import (all or nothing)."""

import io

import pytest
import xlsxwriter

from kaifaqu.core.credit_code import credit_code_error
from kaifaqu.tickets.enterprises import bigrams, enterprise_list, enterprise_lookup, posting_sizes
from kaifaqu.tickets.excel import ImportRefused, enterprises_import
from kaifaqu.tickets.models import EnterpriseToken
from kaifaqu.zones.models import Enterprise, Zone
from tests.tickets.factories import EnterpriseFactory

pytestmark = pytest.mark.django_db

RICHANGJING = "日昌晶新材料（山西）有限责任公司"


@pytest.mark.parametrize("code", ["91350100M000100Y43", "91140300MA0K00001H", "11140000012345678E"])
def test_valid_credit_codes(code):
    from kaifaqu.core.credit_code import check_character

    assert credit_code_error(code) is None
    assert credit_code_error(code.lower()) is None  # typed in lower case
    assert check_character(code[:17]) == code[17]


@pytest.mark.parametrize(("code", "message"), [
    ("91350100M000100Y44", "统一社会信用代码校验位不正确"),
    ("91350100M000100Y4", "统一社会信用代码应为18位"),
    ("91350100M000I00Y43", "统一社会信用代码含有非法字符（不使用I、O、S、V、Z）"),
    ("91350100M000O00Y43", "统一社会信用代码含有非法字符（不使用I、O、S、V、Z）"),
    ("91350100M000Z00Y43", "统一社会信用代码含有非法字符（不使用I、O、S、V、Z）"),
])
def test_invalid_credit_codes(code, message):
    assert credit_code_error(code) == message


def test_the_known_valid_code():
    assert credit_code_error("91350100M000100Y43") is None


@pytest.fixture
def registry(zone_by_code):
    return {
        "rcj": EnterpriseFactory(name=RICHANGJING, credit_code="91350100M000100Y43"),
        "bx": EnterpriseFactory(name="山西百信信息技术有限公司", zone=zone_by_code("X140100-01")),
        "jz": EnterpriseFactory(name="晋中日昌晶材料有限公司", zone=zone_by_code("G141062")),
    }


def test_lookup_by_an_inner_part_of_the_name(user_of, registry):
    found = enterprise_lookup(user=user_of("yangquan"), q="日昌晶")
    assert [e.name for e in found] == [RICHANGJING]
    assert [e.name for e in enterprise_lookup(user=user_of("yangquan"), q="（山西）有限")] == [RICHANGJING]
    assert [e.name for e in enterprise_lookup(user=user_of("yangquan"), q="(山西)有限")] == [RICHANGJING]
    assert enterprise_lookup(user=user_of("yangquan"), q="昌晶新材料") == [registry["rcj"]]
    assert enterprise_lookup(user=user_of("yangquan"), q="晶材料有限") == []  # not a contiguous part of the name


def test_lookup_by_code_prefix(user_of, registry):
    assert enterprise_lookup(user=user_of("yangquan"), q="91350100M") == [registry["rcj"]]
    assert enterprise_lookup(user=user_of("yangquan"), q="91350100m000100y43") == [registry["rcj"]]


def test_lookup_respects_scope(user_of, registry):
    assert {e.name for e in enterprise_lookup(user=user_of("province"), q="日昌晶")} == {
        RICHANGJING, "晋中日昌晶材料有限公司"}
    assert [e.name for e in enterprise_lookup(user=user_of("jinzhong"), q="日昌晶")] == ["晋中日昌晶材料有限公司"]
    assert enterprise_lookup(user=user_of("jinzhong"), q="百信") == []
    assert enterprise_lookup(user=user_of("yangquan"), q="日") == []  # one character is not enough


def test_the_name_index_follows_every_save(registry):
    e = registry["rcj"]
    assert set(EnterpriseToken.objects.filter(enterprise=e).values_list("token", flat=True)) == set(bigrams(e.name))
    e.name = "蓝宝石长晶科技有限公司"
    e.save()
    assert posting_sizes(["日昌", "蓝宝"]) == {"日昌": 1, "蓝宝": 1}  # 晋中's 日昌晶 still holds 日昌
    e.delete()
    assert not EnterpriseToken.objects.filter(token="蓝宝").exists()


def test_registry_list_searches_and_is_scoped(user_of, registry):
    assert list(enterprise_list(user=user_of("yangquan"), q="日昌晶")) == [registry["rcj"]]
    assert list(enterprise_list(user=user_of("yangquan"), q="9135")) == [registry["rcj"]]
    assert registry["bx"] not in enterprise_list(user=user_of("yangquan"))


def workbook(rows: list[list], header=("企业名称", "统一社会信用代码", "所在开发区", "规模以上工业企业")) -> bytes:
    out = io.BytesIO()
    book = xlsxwriter.Workbook(out, {"in_memory": True})
    sheet = book.add_worksheet()
    sheet.write_row(0, 0, ["企业名录"])
    sheet.write_row(1, 0, header)
    for i, row in enumerate(rows, start=2):
        sheet.write_row(i, 0, row)
    book.close()
    return out.getvalue()


def test_import_creates_and_updates(user_of, registry):
    code = "91140300MA0K00001H"
    data = workbook([["阳泉新星储能科技有限公司", code, "阳泉经开区", "是"],
                     [RICHANGJING, "91350100M000100Y43", "S147007", "否"]])
    report = enterprises_import(user=user_of("yq-etdz"), data=data)
    assert (report.created, report.updated) == (1, 1)
    new = Enterprise.objects.get(credit_code=code)
    assert new.above_scale and new.zone.code == "S147007"
    assert enterprise_lookup(user=user_of("yq-etdz"), q="新星储能") == [new]
    assert new.changes().count() == 1


def test_an_invalid_credit_code_refuses_the_whole_file(user_of):
    count = Enterprise.objects.count()
    data = workbook([["甲公司", "91350100M000100Y43", "阳泉经开区", "是"],
                     ["乙公司", "91350100M000100Y44", "阳泉经开区", "否"],
                     ["丙公司", "", "晋中经开区", "否"],
                     ["", "", "阳泉经开区", "否"]])
    with pytest.raises(ImportRefused) as refused:
        enterprises_import(user=user_of("yq-etdz"), data=data)
    assert [str(e) for e in refused.value.errors] == [
        "第4行 [统一社会信用代码]: 统一社会信用代码校验位不正确",
        "第5行 [所在开发区]: 开发区“晋中经开区”不存在或您无权为其导入",
        "第6行 [企业名称]: 必填，不能为空",
    ]
    assert Enterprise.objects.count() == count


def test_import_refuses_a_file_without_the_header(user_of):
    with pytest.raises(ImportRefused) as refused:
        enterprises_import(user=user_of("yq-etdz"), data=workbook([["x"]], header=("名称",)))
    assert "未找到表头" in str(refused.value.errors[0])
    with pytest.raises(ImportRefused, match="无法读取"):
        enterprises_import(user=user_of("yq-etdz"), data=b"not a workbook")


def test_a_code_of_another_zones_enterprise_is_refused(user_of, registry):
    data = workbook([["冒用代码公司", registry["bx"].credit_code, "阳泉经开区", "否"]])
    with pytest.raises(ImportRefused) as refused:
        enterprises_import(user=user_of("yq-etdz"), data=data)
    assert str(refused.value.errors[0]) == "第3行 [统一社会信用代码]: 该统一社会信用代码已登记在其他开发区的企业名下"
    assert Enterprise.objects.get(pk=registry["bx"].pk).zone == Zone.objects.get(code="X140100-01")
