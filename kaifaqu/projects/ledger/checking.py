"""Import, third phase: each row checked against the lookups and the rows above it (scope, references,
duplicates, SPEC §4's stage rules, campaign listings) and planned as create / update / unchanged."""

from __future__ import annotations

from decimal import Decimal
from itertools import compress
from operator import itemgetter, ne

from kaifaqu.accounts.roles import can_write
from kaifaqu.zones.models import Zone

from ..choices import Batch, ProjectType, Stage
from ..services import stage_date_errors, today
from .columns import BY_FIELD, COLUMNS, LABELS, MODEL_FIELDS, REFS, LedgerColumn
from .lookups import _Lookups
from .reading import _Row

# ---- import: checking each row ---------------------------------------------------------------------------------------

def _default(column: LedgerColumn) -> object:
    if column.kind == "bool":
        return False
    if column.kind in ("text", "credit", "method"):
        return ""
    return Decimal("0.00") if column.field == "completed_investment" else None


# A blank cell's value, per model field (references are resolved apart).
DEFAULTS = {c.field: _default(c) for c in COLUMNS if c.kind not in ("ref", "campaign", "batch")}
VALUES = itemgetter(*MODEL_FIELDS)  # a project's values of the ledger's fields, compared in one go
# What SPEC §4's rules look at (amounts are checked as they are parsed).
STAGE_FIELDS = ["stage", "type", "signed_on", "started_on", "producing_on", "at_capacity_on", "terminated_on",
                "termination_reason"]
STAGE_VALUES = itemgetter(*STAGE_FIELDS)


class _Planner:
    """Checks each row against the lookups and the rows above it, and decides create / update / unchanged."""

    def __init__(self, user, lookups: _Lookups, fields: set[str]):
        self.user, self.lk, self.fields = user, lookups, fields
        self.chain_names = {pk: name for name, pk in lookups.chains.items()}
        plain = [name for name in fields if name in DEFAULTS and name != "code"]
        self.plain, self.plain_values = plain, itemgetter(*plain) if len(plain) > 1 else lambda v: (v[plain[0]],)
        # A blank cell's value where its parser gives None (completed investment: 0; the other parsers give the
        # blank value themselves) — or, in a row with a bad cell (None), every field's.
        self.defaults = [(name, DEFAULTS[name]) for name in plain if DEFAULTS[name] is not None]
        self.blank_means = [(name, default) for name, default in self.defaults
                            if BY_FIELD[name].kind not in ("text", "credit", "method", "bool")]
        self.new_project = DEFAULTS | {"zone_id": None, "park_id": None, "chain_id": None}
        self.refs = [REFS[name] for name in fields if name in REFS]
        self.zones: dict[str, tuple[Zone | None, str]] = {}  # a zone cell's text: the zone, or why not
        self.writable: dict[int, bool] = {}
        self.seen_codes: dict[str, int] = {}
        self.seen_names: dict[tuple[str, int], int] = {}
        self.seen_projects: dict[int, int] = {}
        self.today = today()

    def plan(self, row: _Row) -> None:
        zone = self._zone(row)
        refs = {"zone_id": zone.id if zone else None, "park_id": self._park(row, zone), "chain_id": self._chain(row)}
        self._target(row, zone)
        row.merged = self._merged(row, refs)
        self._check_stage(row)
        self._entry(row)
        if not row.errors:
            row.action, row.changes = self._changes(row)

    def _zone(self, row: _Row) -> Zone | None:
        text = row.values.get("zone")
        if not text:
            return None
        if text not in self.zones:  # (a file names the same zones over and over)
            self.zones[text] = self._zone_named(text)
        zone, error = self.zones[text]
        if error:
            row.error("所属开发区", error)
        return zone

    def _zone_named(self, text: str) -> tuple[Zone | None, str]:
        zone = self.lk.zone(text)
        if isinstance(zone, str):
            return None, zone
        return zone, "" if self._can_write(zone) else f"您无权录入或修改“{zone.name}”的项目"

    def _can_write(self, zone: Zone) -> bool:
        if zone.id not in self.writable:
            self.writable[zone.id] = can_write(self.user, zone.org_unit)
        return self.writable[zone.id]

    def _park(self, row: _Row, zone: Zone | None) -> int | None:
        text = row.values.get("park")
        if not text or zone is None:
            return None
        if (zone.id, text) not in self.lk.parks:
            row.error("所属园区", f"“{zone.name}”没有名为“{text}”的园区")
        return self.lk.parks.get((zone.id, text))

    def _chain(self, row: _Row) -> int | None:
        text = row.values.get("chain")
        if text and text not in self.lk.chains:
            row.error("所属产业链", f"产业链“{text}”不存在")
        return self.lk.chains.get(text) if text else None

    def _target(self, row: _Row, zone: Zone | None) -> None:
        """The existing project the row updates, if any; refuses a row that repeats an earlier one."""
        code, name = row.values.get("code"), row.values.get("name")
        if code:
            if code in self.seen_codes:
                return row.error("项目编号", f"项目编号“{code}”与第{self.seen_codes[code]}行重复")
            self.seen_codes[code] = row.number
            row.project = self._by_code(row, code)
        elif zone is not None and name:
            key = (name, zone.pk)
            if key in self.seen_names:
                return row.error("项目名称", f"与第{self.seen_names[key]}行的项目同名（同一开发区），请填写项目编号")
            self.seen_names[key] = row.number
            row.project = self._by_name(row, key)
        if row.project is not None:
            earlier = self.seen_projects.setdefault(row.project["id"], row.number)
            if earlier != row.number:
                row.error("项目编号", f"与第{earlier}行是同一个项目")

    def _by_code(self, row: _Row, code: str) -> dict | None:
        project = self.lk.by_code.get(code)
        if project is None:
            return None
        zone = self.lk.zone_by_id.get(project["zone_id"])
        if zone is None or not self._can_write(zone):
            row.error("项目编号", "项目编号不存在或无权修改")
            return None
        return project

    def _by_name(self, row: _Row, key: tuple[str, int]) -> dict | None:
        found = self.lk.by_name.get(key, [])
        if len(found) > 1:
            row.error("项目名称", "该开发区有多个同名项目，请填写项目编号")
        return found[0] if len(found) == 1 else None

    def _merged(self, row: _Row, refs: dict) -> dict:
        """The project's values after the row: the row's columns over the current values (or the defaults)."""
        merged = dict(row.project) if row.project else self.new_project.copy()
        values = row.values
        merged["code"] = merged["code"] or values.get("code") or ""  # a project found by name keeps its code
        merged.update(zip(self.plain, self.plain_values(values), strict=True))
        for name, default in self.defaults if row.errors else self.blank_means:
            if merged[name] is None:
                merged[name] = default
        for name in self.refs:
            merged[name] = refs[name]
        if row.project and merged["zone_id"] != row.project["zone_id"] and "park" not in self.fields:
            merged["park_id"] = None  # the old park belongs to the old zone
        if "termination_reason" not in self.fields and merged["stage"] == Stage.TERMINATED:
            merged["termination_reason"] = merged["termination_reason"] or merged["note"][:300]
        return merged

    def _check_stage(self, row: _Row) -> None:
        """SPEC §4's rules (services.stage_date_errors), unless the row leaves the stage and dates as they are."""
        if row.project and STAGE_VALUES(row.project) == STAGE_VALUES(row.merged):
            return
        bad = {e.column for e in row.errors}
        for name, message in stage_date_errors(row.merged, self.today):
            label = "备注" if name == "termination_reason" and name not in self.fields else BY_FIELD[name].label
            if label not in bad:
                row.error(label, message)

    def _entry(self, row: _Row) -> None:
        text, batch = row.values.get("campaign"), row.values.get("batch")
        if not text:
            if batch:
                row.error("三个一批活动", "填写了批次，请同时填写三个一批活动")
            return
        campaign = self.lk.campaigns.get(text)
        if campaign is None:
            return row.error("三个一批活动", f"三个一批活动“{text}”不存在，请先创建活动或核对名称")
        if not batch:
            return row.error("批次", "填写了三个一批活动，请同时填写批次")
        listed = self.lk.entries.get((campaign.pk, row.project["id"])) if row.project else None
        if listed and listed != batch:
            row.error("批次", f"该项目已列入“{campaign.name}”的{Batch(listed).label}，同一活动只能列入一次")
        elif not listed:
            row.entry = (campaign, batch)

    def _changes(self, row: _Row) -> tuple[str, list]:
        if row.project is None:
            return "create", []
        before, after = row.project, row.merged
        row.changed = list(compress(MODEL_FIELDS, map(ne, VALUES(before), VALUES(after))))  # (in C: 33 fields)
        changes = [(LABELS[a], self.shown(a, before[a]), self.shown(a, after[a])) for a in row.changed]
        return ("update" if changes else "unchanged"), changes

    def shown(self, attname: str, value: object) -> object:
        """A value as the ledger shows it (names for references, labels for choices, 是/否)."""
        if value is None or value == "":
            return None
        if attname == "zone_id":
            return self.lk.zone_by_id[value].name
        if attname in ("park_id", "chain_id"):
            return (self.lk.park_names if attname == "park_id" else self.chain_names).get(value, value)
        if isinstance(value, bool):
            return "是" if value else "否"
        if attname in ("type", "stage"):
            return str((ProjectType if attname == "type" else Stage)(value).label)
        return value
