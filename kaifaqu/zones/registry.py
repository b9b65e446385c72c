"""Loading the zone registry: Shanxi's regions, org units, the 2018 catalogue rows, the seeds' zones, parks and
chains; and, on demand, the whole 2018 national catalogue. Every load is an idempotent upsert."""

from __future__ import annotations

import csv
import json
import zlib
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path

from django.db import transaction

from kaifaqu.accounts.choices import OrgKind
from kaifaqu.accounts.models import OrgUnit
from kaifaqu.core.changelog import bulk_record

from .choices import RegionLevel, ZoneKind, ZoneLevel, ZoneSource
from .models import IndustryChain, Park, Region, Zone, pinyin_initials

DATA = Path(__file__).resolve().parent / "data"
SHANXI_CODE = "140000"
LEVEL_BY_APPROVER = {"国务院": ZoneLevel.NATIONAL, "省政府": ZoneLevel.PROVINCIAL}


@dataclass
class LoadResult:
    """How many rows a load created and updated."""

    created: int = 0
    updated: int = 0

    def add(self, created: bool) -> None:
        if created:
            self.created += 1
        else:
            self.updated += 1


def read_csv(name: str) -> list[dict[str, str]]:
    with open(DATA / name, encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def seed_data() -> dict:
    return json.loads((DATA / "seed_zones.json").read_text(encoding="utf-8"))


def parse_approved(text: str) -> date | None:
    """"2001.06" → 2001-06-01; a composite "2000.04/2002.12" takes the first date."""
    first = (text or "").split("/")[0].strip()
    try:
        year, month = first.split(".")
        return date(int(year), int(month), 1)
    except ValueError:
        return None


def short_name(name: str) -> str:
    """The usual abbreviation: drop a leading "山西", 经济技术开发区 → 经开区, 高新技术产业开发区 → 高新区."""
    s = name.removeprefix("山西") if len(name) > 6 else name
    for long, short in (("经济技术开发区", "经开区"), ("高新技术产业开发区", "高新区"), ("经济开发区", "开发区")):
        if s.endswith(long):
            return s[: -len(long)] + short
    return s


def catalogue_kind(text: str) -> str:
    return text if text in ZoneKind.values else ZoneKind.OTHER


def approximate_location(code: str, city: Region | None) -> tuple[Decimal | None, Decimal | None]:
    """A stable point near the city's centre (the sources give no zone coordinates)."""
    if city is None or city.center_lon is None:
        return None, None
    h = zlib.crc32(code.encode())
    dx = Decimal((h % 1000) - 500) / Decimal(2500)
    dy = Decimal(((h // 1000) % 1000) - 500) / Decimal(2500)
    return (city.center_lon + dx).quantize(Decimal("0.000001")), (city.center_lat + dy).quantize(Decimal("0.000001"))


def _upsert(model, lookup: dict, values: dict, result: LoadResult):
    obj = model.objects.filter(**lookup).first()
    created = obj is None
    obj = obj or model(**lookup)
    for key, value in values.items():
        setattr(obj, key, value)
    obj.save()
    result.add(created)
    return obj


def load_regions(result: LoadResult) -> dict[str, Region]:
    regions: dict[str, Region] = {}
    for row in read_csv("shanxi_regions.csv"):
        values = {
            "name": row["name"],
            "level": row["level"],
            "parent": regions.get(row["parent"]),
            "center_lon": Decimal(row["center_lon"]) if row["center_lon"] else None,
            "center_lat": Decimal(row["center_lat"]) if row["center_lat"] else None,
        }
        regions[row["code"]] = _upsert(Region, {"code": row["code"]}, values, result)
    return regions


def load_org_tree(regions: dict[str, Region], result: LoadResult) -> dict[str, OrgUnit]:
    """山西省 and its 11 cities as org units (codes are the region codes)."""
    units = {SHANXI_CODE: _upsert(OrgUnit, {"code": SHANXI_CODE}, {
        "name": "山西省", "kind": OrgKind.PROVINCE, "parent": None, "region": regions[SHANXI_CODE]}, result)}
    for code, region in regions.items():
        if region.level == RegionLevel.CITY:
            units[code] = _upsert(OrgUnit, {"code": code}, {
                "name": region.name, "kind": OrgKind.CITY, "parent": units[SHANXI_CODE], "region": region}, result)
    return units


def county_of(locality: str, city: Region, counties: list[Region]) -> Region | None:
    """The county whose name stem appears in the catalogue's locality (e.g. "运城盐湖" → 盐湖区)."""
    for county in counties:
        stem = county.name[:-1] if len(county.name) > 2 else county.name
        if county.parent_id == city.pk and stem in locality:
            return county
    return None


def _zone_values(spec: dict, city: Region, county: Region | None, code: str) -> dict:
    lon, lat = approximate_location(code, city)
    return {**spec, "city": city, "county": county, "province": city.parent, "lon": lon, "lat": lat,
            "location_approximate": True}


def _save_zone(code: str, values: dict, parent: OrgUnit, result: LoadResult) -> Zone:
    unit_values = {"name": values["name"], "kind": OrgKind.ZONE, "parent": parent}
    unit = _upsert(OrgUnit, {"code": code}, unit_values, LoadResult())
    return _upsert(Zone, {"code": code}, {**values, "org_unit": unit}, result)


def load_shanxi_zones(regions: dict[str, Region], units: dict[str, OrgUnit], result: LoadResult) -> None:
    """The 27 catalogue rows (with the seeds' current names) and the zones only the seeds name."""
    seeds = seed_data()
    renamed = {r["catalogue_code"]: r for r in seeds["renamed"]}
    counties = [r for r in regions.values() if r.level == RegionLevel.COUNTY]
    for row in read_csv("shanxi_zones_2018_catalogue.csv"):
        city = regions[row["city_code"]]
        extra = {k: v for k, v in renamed.get(row["code"], {}).items() if k != "catalogue_code"}
        name = extra.pop("name", row["name"])
        spec = {
            "name": name, "short_name": short_name(name), "level": LEVEL_BY_APPROVER[row["approval_level"]],
            "kind": catalogue_kind(row["kind"]), "approved_on": parse_approved(row["approved"]),
            "approved_area_ha": Decimal(row["area_ha"]), "industries": row["industries"],
            "source": ZoneSource.CATALOGUE_2018, "catalogue": row, **extra,
        }
        values = _zone_values(spec, city, county_of(row["locality"], city, counties), row["code"])
        _save_zone(row["code"], values, units[row["city_code"]], result)
    for added in seeds["added"]:
        spec = {k: v for k, v in added.items() if k not in {"code", "city", "county"}}
        spec["source"] = ZoneSource.SEED_ARTICLES
        city = regions[added["city"]]
        county = regions.get(added["county"]) if added["county"] else None
        _save_zone(added["code"], _zone_values(spec, city, county, added["code"]), units[added["city"]], result)


def load_parks_and_chains(result: LoadResult) -> None:
    seeds = seed_data()
    zones = {z.code: z for z in Zone.objects.filter(code__in={p["zone"] for p in seeds["parks"]})}
    for park in seeds["parks"]:
        values = {"industries": park.get("industries", ""), "source_note": park["source_note"]}
        _upsert(Park, {"zone": zones[park["zone"]], "name": park["name"]}, values, result)
    for chain in seeds["chains"]:
        values = {"source": chain["source"], "strategic_emerging": chain.get("strategic_emerging", True),
                  "key_chain": chain.get("key_chain", False)}
        _upsert(IndustryChain, {"name": chain["name"]}, values, result)


@transaction.atomic
def registry_load() -> LoadResult:
    """Load (or refresh) Shanxi's regions, org units, zones, parks and industry chains."""
    result = LoadResult()
    regions = load_regions(result)
    units = load_org_tree(regions, result)
    load_shanxi_zones(regions, units, result)
    load_parks_and_chains(result)
    return result


@transaction.atomic
def national_catalogue_load(path: Path | None = None) -> LoadResult:
    """Load the 2018 catalogue's zones outside Shanxi (2,516 rows), set-based: one org unit per province, the
    zones beneath it. Rows already present (by code) are left as they are; Shanxi's rows come from
    `registry_load`."""
    rows = _read_catalogue(path)
    provinces = _province_units()
    existing = set(Zone.objects.values_list("code", flat=True))
    seen: set[str] = set()
    new_units, new_zones = [], []
    for row in rows:
        if row["province"] == "山西省":
            continue
        code = row["code"] if row["code"] not in seen else f"{row['code']}-{row['seq']}"
        seen.add(row["code"])
        if code in existing:
            continue
        region, parent = provinces[row["province"]]
        unit = OrgUnit(code=code, name=row["name"], kind=OrgKind.ZONE, parent=parent, path=f"{parent.path}{code}/")
        new_units.append(unit)
        new_zones.append(_national_zone(row, code, region, unit))
    OrgUnit.objects.bulk_create(new_units, batch_size=1000)
    for zone in new_zones:
        zone.org_unit_id = zone.org_unit.pk
    Zone.objects.bulk_create(new_zones, batch_size=1000)
    bulk_record(new_units)
    bulk_record(new_zones)
    return LoadResult(created=len(new_zones))


def _read_catalogue(path: Path | None) -> list[dict[str, str]]:
    with open(path or DATA / "china_zones_2018_catalogue.csv", encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def _province_units() -> dict[str, tuple[Region, OrgUnit]]:
    out = {}
    for row in read_csv("provinces.csv"):
        region, _ = Region.objects.get_or_create(
            code=row["code"], defaults={"name": row["name"], "level": RegionLevel.PROVINCE})
        unit = OrgUnit.objects.filter(code=row["code"]).first()
        if unit is None:
            unit = OrgUnit(code=row["code"], name=row["name"], kind=OrgKind.PROVINCE, region=region)
            unit.save()
        out[row["name"]] = (region, unit)
    return out


def _national_zone(row: dict, code: str, province: Region, unit: OrgUnit) -> Zone:
    area = row["area_ha"].strip()
    zone = Zone(
        code=code, name=row["name"], short_name=short_name(row["name"]), org_unit=unit, province=province,
        level=LEVEL_BY_APPROVER.get(row["approval_level"], ZoneLevel.PROVINCIAL), kind=catalogue_kind(row["kind"]),
        approved_on=parse_approved(row["approved"]),
        approved_area_ha=Decimal(area) if area.replace(".", "", 1).isdigit() else None,
        industries="" if row["industries"] == "在建" else row["industries"],
        source=ZoneSource.CATALOGUE_2018, catalogue=row, location_approximate=True,
    )
    zone.pinyin_initials = zone.compute_pinyin()
    return zone


__all__ = ["registry_load", "national_catalogue_load", "pinyin_initials", "LoadResult"]
