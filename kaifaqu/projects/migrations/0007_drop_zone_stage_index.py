"""The (zone, stage) index of projects goes: see the comment on Project.stage."""

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('projects', '0006_project_listing_dates'),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name='project',
            name='projects_pr_zone_id_fabff9_idx',
        ),
    ]
