"""Writing the catalog mirror."""

from __future__ import annotations

from decimal import Decimal

from django.db import DEFAULT_DB_ALIAS, IntegrityError, transaction

from certwright.catalog.models import (
    ContentAreaDefinition,
    FeePeriodDefinition,
    ProgramVersion,
    SeriesDefinition,
    TestDefinition,
    TitleDefinition,
)
from certwright.catalog.selectors import program_digest
from certwright.core import clock
from certwright.program.listing import expr_text, prerequisite_text, program_summary
from certwright.program.model import Program, expr_tests


def program_sync(program: Program, *, using: str = DEFAULT_DB_ALIAS) -> ProgramVersion:
    """Mirror ``program`` into the catalog tables; a definition already there is kept.

    Idempotent by digest: syncing the same definition again returns the existing row
    and writes nothing, so it is safe on every ``migrate`` and every start.
    """
    digest = program_digest(program)
    existing = ProgramVersion.objects.using(using).filter(digest=digest).first()
    if existing is not None:
        return existing
    try:
        with transaction.atomic(using=using):
            return _program_version_create(program, digest=digest, using=using)
    except IntegrityError:
        # Another process synced the same definition between our read and our
        # insert (two `migrate`s at once); its rows are the same as ours.
        return ProgramVersion.objects.using(using).get(digest=digest)


def _program_version_create(
    program: Program, *, digest: str, using: str
) -> ProgramVersion:
    version = ProgramVersion.objects.using(using).create(
        program=program.id,
        version=program.version,
        digest=digest,
        name=program.name,
        body=program.body,
        source=program.source[:500],
        loaded_at=clock.now(),
        definition=program_summary(program),
    )
    series = SeriesDefinition.objects.using(using).bulk_create(
        SeriesDefinition(
            program_version=version,
            position=position,
            code=s.code,
            name=s.name,
            note=s.note,
        )
        for position, s in enumerate(program.series.values())
    )
    series_by_code = {s.code: s for s in series}

    tests = []
    for position, test in enumerate(program.tests.values()):
        latest = test.blueprints[-1] if test.blueprints else None
        tests.append(
            TestDefinition(
                program_version=version,
                series=series_by_code[test.series],
                position=position,
                code=test.code,
                name=test.name,
                blueprint_effective=latest.effective if latest else None,
                scored=latest.scored if latest else None,
                unscored=latest.unscored if latest else None,
                minutes=latest.minutes if latest else None,
                estimated=latest.estimated if latest else False,
                recertifiable=test.recert is not None,
                recert_scored=test.recert.scored if test.recert else None,
                recert_minutes=test.recert.minutes if test.recert else None,
                fee_class=test.fee_class,
                experience_rule=test.experience_rule,
                experience_years=_years(
                    program.experience.rules[test.experience_rule].required_days
                ),
                prerequisites="; ".join(
                    prerequisite_text(p) for p in test.prerequisites
                ),
                validity_years=test.validity_years,
                offered_from=test.offered_from,
                offered_until=test.offered_until,
                languages=", ".join(test.languages),
                note=test.note,
            )
        )
    created_tests = TestDefinition.objects.using(using).bulk_create(tests)

    ContentAreaDefinition.objects.using(using).bulk_create(
        ContentAreaDefinition(
            test=test_row,
            effective=blueprint.effective,
            position=position,
            code=area.code,
            name=area.name,
            questions=area.questions,
        )
        for test_row, test in zip(created_tests, program.tests.values(), strict=True)
        for blueprint in test.blueprints
        for position, area in enumerate(blueprint.areas)
    )
    TitleDefinition.objects.using(using).bulk_create(
        TitleDefinition(
            program_version=version,
            position=position,
            code=title.id,
            name=title.name,
            rule=expr_text(title.rule),
            tests=", ".join(sorted(expr_tests(title.rule))),
            excluded_by=", ".join(title.excluded_by),
            note=title.note,
        )
        for position, title in enumerate(program.titles.values())
    )
    FeePeriodDefinition.objects.using(using).bulk_create(
        FeePeriodDefinition(
            program_version=version,
            start=period.start,
            end=period.end,
            currency=period.currency,
            registration_cents=period.registration_cents,
            registration_per=period.registration_per,
            test_fees=dict(period.test_fees),
            recert_cap_cents=period.recert_cap_cents,
            renewal_cents=period.renewal_cents,
            note=period.note,
        )
        for period in program.fees
    )
    return version


def _years(days: int) -> Decimal:
    return (Decimal(days) / Decimal(365)).quantize(Decimal("0.1"))
