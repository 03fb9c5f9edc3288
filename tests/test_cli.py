"""The command line as users call it."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from footprint.cli import main


def test_regions_json_in_a_real_process():
    out = subprocess.run([sys.executable, "-m", "footprint", "regions", "--json"],
                         capture_output=True, text=True, check=True).stdout
    members = json.loads(out)
    assert list(members) == sorted(["United States", "European Union", "Japan", "India",
                                    "Latin America", "Eastern Europe"])
    assert members["Japan"] == ["JPN"]
    assert all(len(code) == 3 and code.isupper() for codes in members.values() for code in codes)


def test_unknown_command_exits_2(capsys):
    with pytest.raises(SystemExit) as exc:
        main(["no-such-command"])
    assert exc.value.code == 2
    assert "invalid choice" in capsys.readouterr().err
