"""Seed the sales-tax table with the states where ASE collects sales tax.

ase-program.md §7 (ase.com terms and conditions) lists the states but not the rates,
and rates change: each row is seeded at 0 basis points with ``configured = False``, so
nothing is taxed at an invented rate. A deployment sets each rate in the admin (and
ticks "configured"); until then the admin lists the placeholders.
"""

import datetime as dt

from django.db import migrations

# [OFF] https://www.ase.com/terms-and-conditions
ASE_TAX_STATES = (
    "AR", "AZ", "CA", "CO", "HI", "MD", "ME", "NC", "NE", "NJ", "NM", "NY",
    "OH", "PA", "RI", "SC", "SD", "TN", "TX", "UT", "VA", "WA", "WV",
)
SINCE = dt.date(2000, 1, 1)
NOTE = "Placeholder: ASE collects sales tax here; set the rate before going live."


def seed(apps, schema_editor):
    TaxRate = apps.get_model("commerce", "TaxRate")
    for state in ASE_TAX_STATES:
        TaxRate.objects.get_or_create(
            region=f"US-{state}",
            effective_from=SINCE,
            defaults={"rate_bp": 0, "configured": False, "note": NOTE},
        )


def unseed(apps, schema_editor):
    TaxRate = apps.get_model("commerce", "TaxRate")
    TaxRate.objects.filter(
        region__in=[f"US-{s}" for s in ASE_TAX_STATES],
        effective_from=SINCE,
        configured=False,
    ).delete()


class Migration(migrations.Migration):
    dependencies = [("commerce", "0001_orders")]

    operations = [migrations.RunPython(seed, unseed)]
