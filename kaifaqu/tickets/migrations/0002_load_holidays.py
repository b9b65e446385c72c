"""Load China's official 2023–2026 holidays and adjusted working days (data/holidays_cn.csv, see PROVENANCE.md)."""

from django.db import migrations


def load(apps, schema_editor):
    from kaifaqu.tickets.workdays import official_days

    HolidayCalendar = apps.get_model("tickets", "HolidayCalendar")
    have = set(HolidayCalendar.objects.values_list("date", flat=True))
    HolidayCalendar.objects.bulk_create([HolidayCalendar(**row) for row in official_days() if row["date"] not in have])


class Migration(migrations.Migration):
    dependencies = [("tickets", "0001_initial")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
