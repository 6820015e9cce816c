"""Commands that only compute run on a machine with no configuration."""

import json
import os
import subprocess
import sys
from pathlib import Path

FACTS = {
    "results": [{"test": "A1", "date": "2020-03-01", "outcome": "pass"}],
    "experience": [{"kind": "employment", "start": "2017-01-01", "end": "2019-12-31"}],
}


def run(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CERTWRIGHT_")}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    return subprocess.run(
        [sys.executable, "-m", "certwright.cli", *args],
        input=stdin,
        capture_output=True,
        text=True,
        env=env,
        check=False,
        timeout=120,
    )


def test_rules_evaluate_without_a_secret_key():
    """`certwright rules evaluate` answers with no CERTWRIGHT_* variable set."""
    # when
    done = run(
        "rules", "evaluate", "-", "--as-of", "2021-01-01", stdin=json.dumps(FACTS)
    )
    # then
    assert done.returncode == 0, done.stderr
    out = json.loads(done.stdout)
    assert out["certifications"][0]["status"] == "certified"


def test_program_check_without_a_secret_key(tmp_path: Path):
    """`certwright program check` names the problem in a bad file, exit code 2."""
    bad = tmp_path / "bad.toml"
    bad.write_text("[program\nid = 'x'\n")
    done = run("program", "check", str(bad))
    assert done.returncode == 2
    assert "bad.toml" in done.stdout + done.stderr
