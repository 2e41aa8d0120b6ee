"""Reference data: Stockholm's 13 districts (stadsdelsområden) and "outside Stockholm".

Administrators can rename or retire them in the admin; the codes stay stable for statistics.
"""

from django.db import migrations

DISTRICTS = [
    ("rinkeby-kista", "Rinkeby-Kista"),
    ("spanga-tensta", "Spånga-Tensta"),
    ("hasselby-vallingby", "Hässelby-Vällingby"),
    ("bromma", "Bromma"),
    ("kungsholmen", "Kungsholmen"),
    ("norrmalm", "Norrmalm"),
    ("ostermalm", "Östermalm"),
    ("sodermalm", "Södermalm"),
    ("enskede-arsta-vantor", "Enskede-Årsta-Vantör"),
    ("skarpnack", "Skarpnäck"),
    ("farsta", "Farsta"),
    ("hagersten-alvsjo", "Hägersten-Älvsjö"),
    ("skarholmen", "Skärholmen"),
    ("outside-stockholm", "Utanför Stockholms stad"),
]


def add_districts(apps, schema_editor):
    District = apps.get_model("outreach", "District")
    for order, (code, name) in enumerate(DISTRICTS, start=1):
        District.objects.get_or_create(code=code, defaults={"name": name, "sort_order": order * 10})


class Migration(migrations.Migration):
    dependencies = [("outreach", "0001_initial")]

    operations = [migrations.RunPython(add_districts, migrations.RunPython.noop)]
