"""Reference data every installation needs: languages and the national authorities.

Administrators can edit both afterwards (admin site); the codes stay stable.
"""

from django.db import migrations

# ISO 639 code, Swedish name, English name: the languages the unit meets most, and Swedish
# and English themselves.
LANGUAGES = [
    ("sv", "svenska", "Swedish"),
    ("en", "engelska", "English"),
    ("ro", "rumänska", "Romanian"),
    ("bg", "bulgariska", "Bulgarian"),
    ("hu", "ungerska", "Hungarian"),
    ("pl", "polska", "Polish"),
    ("lt", "litauiska", "Lithuanian"),
    ("lv", "lettiska", "Latvian"),
    ("et", "estniska", "Estonian"),
    ("ru", "ryska", "Russian"),
    ("uk", "ukrainska", "Ukrainian"),
    ("sk", "slovakiska", "Slovak"),
    ("cs", "tjeckiska", "Czech"),
    ("sr", "serbiska", "Serbian"),
    ("hr", "kroatiska", "Croatian"),
    ("bs", "bosniska", "Bosnian"),
    ("sq", "albanska", "Albanian"),
    ("rom", "romani", "Romani"),
    ("de", "tyska", "German"),
    ("fr", "franska", "French"),
    ("es", "spanska", "Spanish"),
    ("pt", "portugisiska", "Portuguese"),
    ("it", "italienska", "Italian"),
    ("tr", "turkiska", "Turkish"),
    ("ar", "arabiska", "Arabic"),
    ("fa", "persiska", "Persian"),
    ("prs", "dari", "Dari"),
    ("ps", "pashto", "Pashto"),
    ("ku", "kurdiska", "Kurdish"),
    ("so", "somaliska", "Somali"),
    ("ti", "tigrinja", "Tigrinya"),
    ("am", "amhariska", "Amharic"),
    ("sw", "swahili", "Swahili"),
    ("yo", "yoruba", "Yoruba"),
    ("ig", "igbo", "Igbo"),
    ("bin", "edo", "Edo"),
    ("pcm", "nigeriansk pidgin", "Nigerian Pidgin"),
    ("th", "thailändska", "Thai"),
    ("vi", "vietnamesiska", "Vietnamese"),
    ("zh", "kinesiska (mandarin)", "Chinese (Mandarin)"),
    ("tl", "tagalog", "Tagalog"),
    ("mn", "mongoliska", "Mongolian"),
    ("uz", "uzbekiska", "Uzbek"),
    ("es-419", "spanska (Latinamerika)", "Spanish (Latin America)"),
    ("ne", "nepali", "Nepali"),
    ("bn", "bengali", "Bengali"),
    ("ur", "urdu", "Urdu"),
    ("hi", "hindi", "Hindi"),
]

AUTHORITIES = [
    ("Polismyndigheten", "police"),
    ("Åklagarmyndigheten", "prosecutor"),
    ("Migrationsverket", "migration_agency"),
    ("IOM – Internationella organisationen för migration", "iom"),
]


def add_reference_data(apps, schema_editor):
    Language = apps.get_model("casework", "Language")
    for code, name_sv, name_en in LANGUAGES:
        Language.objects.get_or_create(code=code, defaults={"name_sv": name_sv, "name_en": name_en})
    Organisation = apps.get_model("casework", "Organisation")
    for name, kind in AUTHORITIES:
        Organisation.objects.get_or_create(name=name, defaults={"kind": kind})


class Migration(migrations.Migration):
    dependencies = [("casework", "0001_initial")]

    operations = [migrations.RunPython(add_reference_data, migrations.RunPython.noop)]
