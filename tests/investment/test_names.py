"""查重: company names compared without spaces, punctuation, full/half width and the company-form suffix."""

import pytest

from kaifaqu.investment.names import company_key, intent_key

DAHENG = "山西大恒新能源有限公司"


@pytest.mark.parametrize("spelling", [
    "山西大恒新能源有限公司", "山西 大恒新能源有限责任公司", "山西大恒新能源（有限公司）", "山西大恒新能源股份有限公司",
    "山西大恒新能源(有限公司)", "  山西大恒新能源　有限公司 ", "山西·大恒新能源有限公司", "山西大恒新能源公司",
    "山西大恒新能源",
])
def test_same_company(spelling):
    assert company_key(spelling) == company_key(DAHENG) == "山西大恒新能源"


def test_full_and_half_width_letters_and_case():
    assert company_key("ＡＢＣ新材料有限公司") == company_key("abc新材料有限公司") == "abc新材料"


@pytest.mark.parametrize("other", ["山西大恒光伏有限公司", "山西大恒新能源科技有限公司", "江苏大恒新能源有限公司"])
def test_different_companies(other):
    assert company_key(other) != company_key(DAHENG)


def test_a_bare_suffix_is_kept_and_intents_drop_项目():
    assert company_key("有限公司") == "有限公司"
    assert intent_key("年产2GW光伏组件项目") == intent_key("年产 2GW 光伏组件") == "年产2gw光伏组件"
