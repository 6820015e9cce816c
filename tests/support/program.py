"""Program files written by tests."""

# A program small enough to read at a glance: one series, three tests (one with a
# prerequisite), one title. Tests that need the real thing use the built-in "ase".
MINI_PROGRAM = """\
[program]
id = "mini"
name = "Mini Certification Program"
version = "2026.1"
body = "Mini Certification Board"

[experience]
default_rule = "standard"

[experience.kinds.employment]
name = "Full-time employment"
accrual = "time"

[experience.rules.standard]
required_days = 730

[series.A]
name = "Automobile"

[[fees]]
start = 2020-01-01
currency = "USD"
registration_cents = 3400
registration_per = "order"
recert_cap_cents = 15000

[fees.test_fees]
standard = 5400

[tests.A1]
name = "Engine Repair"
series = "A"

[[tests.A1.blueprints]]
effective = 2023-07-01
scored = 50
unscored = 10
minutes = 75

[[tests.A1.blueprints.areas]]
code = "A"
name = "General Engine Diagnosis"
questions = 30

[[tests.A1.blueprints.areas]]
code = "B"
name = "Cylinder Head and Valve Train"
questions = 20

[[tests.A1.blueprints]]
effective = 2026-01-01
scored = 45
unscored = 10
minutes = 75

[[tests.A1.blueprints.areas]]
code = "A"
name = "General Engine Diagnosis"
questions = 25

[[tests.A1.blueprints.areas]]
code = "B"
name = "Cylinder Head and Valve Train"
questions = 20

[tests.A1.recert]
scored = 25
minutes = 30

[tests.A8]
name = "Engine Performance"
series = "A"

[[tests.A8.blueprints]]
effective = 2023-07-01
scored = 50

[tests.L1]
name = "Advanced Engine Performance"
series = "A"

[[tests.L1.blueprints]]
effective = 2023-07-01
scored = 50

[[tests.L1.prerequisites]]
expr = "A8"

[titles.master]
name = "Master Technician"
rule = { all_of = ["A1", "A8"] }
"""
