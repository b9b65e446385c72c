"""The listing dates of projects (listing.py), filled from the campaign entries."""

from django.db import migrations, models
from django.db.models import Max, OuterRef, Subquery

BATCHES = {"sign": "sign_listed_on", "start": "start_listed_on", "produce": "produce_listed_on"}


def fill(apps, schema_editor):
    """Each project's listing dates from its entries (what listing.refresh keeps from now on)."""
    Project, CampaignEntry = apps.get_model("projects", "Project"), apps.get_model("projects", "CampaignEntry")

    def latest(batch):
        entries = CampaignEntry.objects.filter(project=OuterRef("pk"), batch=batch).order_by().values("project")
        return Subquery(entries.annotate(on=Max("campaign__date")).values("on"))

    Project.objects.filter(pk__in=CampaignEntry.objects.values("project_id")).update(
        **{field: latest(batch) for batch, field in BATCHES.items()})


class Migration(migrations.Migration):

    dependencies = [
        ('projects', '0005_project_code_unique_constraint'),
    ]

    operations = [
        migrations.AddField(
            model_name='project',
            name='produce_listed_on',
            field=models.DateField(editable=False, null=True, verbose_name='最近列入投产批次的活动日期'),
        ),
        migrations.AddField(
            model_name='project',
            name='sign_listed_on',
            field=models.DateField(editable=False, null=True, verbose_name='最近列入签约批次的活动日期'),
        ),
        migrations.AddField(
            model_name='project',
            name='start_listed_on',
            field=models.DateField(editable=False, null=True, verbose_name='最近列入开工批次的活动日期'),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
    ]
