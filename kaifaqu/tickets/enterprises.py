"""Finding an enterprise as a call-taker types (企业查询): by any part of its name or by the start of its unified
social credit code, over the enterprises the user may see.

Names are indexed by their bigrams (`EnterpriseToken`, rebuilt whenever an enterprise is saved). A query's bigrams
are probed first — one statement counting, for each, how many enterprises hold it, capped at `CAP` — and the
rare ones (fewer than `CAP`) narrow the search to the enterprises holding all of them, which are then checked
for the whole query. A query made only of common pieces ("有限公司", "山西") has matches everywhere, so a plain
scan stops after the first few. Codes are matched on the indexed column by prefix.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

from django.db import connection, transaction
from django.db.models import Q, QuerySet
from django.db.models.functions import Length
from django.db.models.signals import post_save

from kaifaqu.zones.models import Enterprise

from .models import EnterpriseToken

CAP = 2000  # a bigram held by fewer enterprises than this narrows a search
MAX_PROBES = 12  # bigrams probed per query (the first ones: a name's distinctive part comes before 有限公司)
CODE_PREFIX = re.compile(r"^[0-9A-HJ-NP-RTUWXY]{2,18}$")
BATCH = 5000
WIDE_BRACKETS = str.maketrans("()", "（）")


def normalise(text: str) -> str:
    """Full-width forms folded (（山西）→ (山西)), letters lower-cased, spaces removed."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text or "")).lower()


def bigrams(text: str) -> list[str]:
    """The distinct two-character pieces of the normalised text, in order of first appearance."""
    n = normalise(text)
    return list(dict.fromkeys(n[i:i + 2] for i in range(len(n) - 1)))


# ---- the index --------------------------------------------------------------------------------------------------

def enterprise_tokens_rebuild(ids: Iterable[int] | None = None) -> int:
    """Rebuild the name index of the enterprises `ids` (all of them when None); returns the bigrams written."""
    with transaction.atomic():
        if ids is None:
            EnterpriseToken.objects.all()._raw_delete(EnterpriseToken.objects.db)  # a plain DELETE, no signals
            rows = Enterprise.objects.values_list("pk", "name").iterator(chunk_size=BATCH)
        else:
            ids = list(ids)
            for i in range(0, len(ids), 900):
                EnterpriseToken.objects.filter(enterprise_id__in=ids[i:i + 900])._raw_delete(EnterpriseToken.objects.db)
            rows = (r for i in range(0, len(ids), 900)
                    for r in Enterprise.objects.filter(pk__in=ids[i:i + 900]).values_list("pk", "name"))
        return _write_tokens(rows)


def _write_tokens(rows: Iterable[tuple[int, str]]) -> int:
    batch, written = [], 0
    for pk, name in rows:
        batch += [EnterpriseToken(token=g, enterprise_id=pk) for g in bigrams(name)]
        if len(batch) >= BATCH:
            EnterpriseToken.objects.bulk_create(batch)
            written, batch = written + len(batch), []
    EnterpriseToken.objects.bulk_create(batch)
    return written + len(batch)


def _enterprise_saved(sender, instance: Enterprise, raw: bool = False, **kwargs) -> None:
    if not raw:
        enterprise_tokens_rebuild([instance.pk])


def connect_signals() -> None:
    """Keep the index in step with every save of an enterprise (deletes cascade)."""
    post_save.connect(_enterprise_saved, sender=Enterprise, dispatch_uid="enterprise_tokens")


# ---- searching --------------------------------------------------------------------------------------------------

def posting_sizes(grams: list[str]) -> dict[str, int]:
    """{bigram: how many enterprises hold it, counted up to CAP}, in one statement."""
    if not grams:
        return {}
    table = EnterpriseToken._meta.db_table
    part = f"SELECT token FROM (SELECT token FROM {table} WHERE token = %s LIMIT {CAP}) AS s{{i}}"
    union = " UNION ALL ".join(part.format(i=i) for i in range(len(grams)))
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT token, COUNT(*) FROM ({union}) AS u GROUP BY token", grams)  # noqa: S608
        found = dict(cursor.fetchall())
    return {g: found.get(g, 0) for g in grams}


def name_search(qs: QuerySet[Enterprise], q: str) -> tuple[QuerySet[Enterprise], bool]:
    """`qs` narrowed to the names containing `q` (at least two characters), and whether the match was narrowed
    by rare bigrams (True) or is a scan for common words (False)."""
    raw, grams = q.strip(), bigrams(q)[:MAX_PROBES]
    sizes = posting_sizes(grams)
    if any(n == 0 for n in sizes.values()):
        return qs.none(), True
    rare = [g for g in grams if sizes[g] < CAP]
    # Names are stored as registered (full-width brackets, mostly); the query may be typed either way.
    text = Q()
    for form in {raw, normalise(raw), normalise(raw).translate(WIDE_BRACKETS)}:
        text |= Q(name__icontains=form)
    for g in rare:
        qs = qs.filter(pk__in=EnterpriseToken.objects.filter(token=g).values("enterprise_id"))
    return qs.filter(text), bool(rare)


def enterprise_lookup(*, user, q: str, limit: int = 10) -> list[Enterprise]:
    """The enterprises `user` may see whose name contains `q` (any part, two characters or more) or whose credit
    code starts with it: code matches first, then the shortest names (the closest to what was typed)."""
    q = (q or "").strip()[:60]
    scoped = Enterprise.objects.visible_to(user).select_related("zone")
    found: list[Enterprise] = []
    if CODE_PREFIX.match(q.upper()):
        # Unordered: PostgreSQL walks the code's pattern index and stops at `limit` (ORDER BY would sort them all).
        found = list(scoped.filter(credit_code__startswith=q.upper()).order_by()[:limit])
    if len(found) < limit and len(normalise(q)) >= 2:
        matches, narrowed = name_search(scoped, q)
        # Few candidates: the shortest names first. Common words: the first found (sorting would read them all).
        matches = matches.order_by(Length("name"), "name") if narrowed else matches.order_by()
        seen = {e.pk for e in found}
        found += [e for e in matches[:limit] if e.pk not in seen]
    return found[:limit]


def enterprise_list(*, user, q: str = "", zone: str = "", city: str = "") -> QuerySet[Enterprise]:
    """The enterprise registry (企业名录) the user may see, searched by name or code, narrowed to a zone (code)
    or a city (code or name)."""
    qs = Enterprise.objects.visible_to(user).select_related("zone", "zone__city", "chain")
    if zone:
        qs = qs.filter(zone__code=zone)
    if city:
        qs = qs.filter(Q(zone__city__code=city) | Q(zone__city__name=city) | Q(zone__city__name=f"{city}市"))
    q = q.strip()
    if CODE_PREFIX.match(q.upper()) and any(c.isdigit() for c in q):
        return qs.filter(credit_code__startswith=q.upper()).order_by("credit_code")
    if len(normalise(q)) >= 2:
        qs = name_search(qs, q)[0]
    elif q:
        qs = qs.filter(name__icontains=q)
    return qs.order_by("zone__code", "name")
