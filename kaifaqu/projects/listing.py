"""Each project's latest listing per batch: `Project.sign_listed_on`, `start_listed_on` and `produce_listed_on`,
the date of the most recent campaign that listed it in that batch (NULL if none did).

Why: the statistics of a campaign set (listed.py) need, for each project, the batches it was listed in. In
general that means grouping the set's entries by project and joining the groups to the projects — over all 40
campaigns of the national data set, 120,000 entries grouped and joined to 200,000 projects, most of the time of a
query (the 三未 lists took 190–320 ms against a budget of 150). But the sets people ask for are nearly always
"every campaign since a date": the 三未 page's campaigns since a chosen date, the latest campaigns, all of them.
For such a set, "listed in batch B" is "B_listed_on ≥ that date", a condition on the project's own row, and the
statistics read the projects table alone (`listed.listed_from` chooses; any other set still joins the entries).

Kept by every write of entries and campaigns (models.py: CampaignEntry and Campaign save/delete, and their
querysets' bulk_create/update/delete; the ledger import sets new projects' dates as it inserts them and refreshes
the existing projects it lists). `Project.save` never writes them. `drift` finds any project whose dates disagree
with its entries: the tests run it after every write path.
"""

from __future__ import annotations

from collections.abc import Iterable

from kaifaqu.core.iterables import chunks

from .choices import Batch

LISTED_ON = {Batch.SIGN: "sign_listed_on", Batch.START: "start_listed_on", Batch.PRODUCE: "produce_listed_on"}


def refresh(project_ids: Iterable[int]) -> None:
    """Recompute the listing dates of the projects from their entries: one UPDATE per 5,000 projects, each date
    a correlated MAX over the project's entries (read from the (project, campaign, batch) index)."""
    from django.db.models import Max, OuterRef, Subquery

    from .models import CampaignEntry, Project

    def latest(batch: str) -> Subquery:
        entries = CampaignEntry.objects.filter(project=OuterRef("pk"), batch=batch).order_by().values("project")
        return Subquery(entries.annotate(on=Max("campaign__date")).values("on"))

    values = {field: latest(batch) for batch, field in LISTED_ON.items()}
    for chunk in chunks(sorted(set(project_ids)), 5000):
        Project.objects.filter(pk__in=chunk).update(**values)


def drift() -> list[int]:
    """The projects whose stored listing dates disagree with their entries (none, if every write kept them)."""
    from django.db.models import Max

    from .models import CampaignEntry, Project

    fields = list(LISTED_ON.values())
    want: dict[int, dict[str, object]] = {}
    entries = CampaignEntry.objects.order_by().values_list("project_id", "batch").annotate(on=Max("campaign__date"))
    for project_id, batch, on in entries:
        want.setdefault(project_id, dict.fromkeys(fields))[LISTED_ON[Batch(batch)]] = on
    empty = dict.fromkeys(fields)
    return sorted(pk for pk, *dates in Project.objects.values_list("pk", *fields)
                  if dict(zip(fields, dates, strict=True)) != want.get(pk, empty))
