"""Shared by the demo loads: the notes that mark generated rows, the province, the campaign calendar (三个一批
campaigns held by the province) and shorthands for project types and dated stages."""

from __future__ import annotations

from datetime import date, timedelta

from ..choices import ProjectType, Stage

SEED_NOTE = "演示数据（依据来源文章003的汇总数据生成）"
DEMO_NOTE = "演示数据（生成）"
SHANXI = "140000"

CAMPAIGNS = {
    "2023年第一次“三个一批”活动": date(2023, 2, 16),
    "2023年第二次“三个一批”活动": date(2023, 5, 18),
    "2023年第三次“三个一批”活动": date(2023, 8, 24),
    "2023年第四次“三个一批”活动": date(2023, 11, 23),
    "2024年第一次“三个一批”活动": date(2024, 2, 27),
    "2024年第二次“三个一批”活动": date(2024, 6, 26),
    "2025年第一次“三个一批”活动": date(2025, 2, 25),
}
C23A, C23B, C23C, C23D, C24A, C24B, C25A = CAMPAIGNS

IND, INFRA, PUBLIC, OTHER = (ProjectType.INDUSTRIAL, ProjectType.INFRASTRUCTURE, ProjectType.PUBLIC_SERVICE,
                             ProjectType.OTHER)
S, T, P, C = Stage.SIGNED, Stage.STARTED, Stage.PRODUCING, Stage.AT_CAPACITY


def days(n: int) -> timedelta:
    return timedelta(days=n)
