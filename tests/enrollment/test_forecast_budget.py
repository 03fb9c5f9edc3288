"""The forecast's memory budget: refused before the work starts, never a crash."""

from __future__ import annotations

import subprocess
import sys
import textwrap

import pytest

from footprint.assumptions import MAX_FORECAST_BYTES
from footprint.enrollment import forecast as fc
from footprint.enrollment.scenario import resolve
from footprint.errors import BudgetError
from footprint.paths import ROOT
from tests.enrollment.builders import at_once, scenario


def plan(total_sites: int):
    """A plan of ``total_sites`` (beyond the schema's MAX_TOTAL_SITES: the forecast's own
    budget is what is tested, so the sites are set after validation)."""
    per = 2000
    codes = [f"Q{chr(65 + i // 26)}{chr(65 + i % 26)}" for i in range(total_sites // per + 1)]
    counts = {code: min(per, total_sites - i * per) for i, code in enumerate(codes)
              if total_sites - i * per > 0}
    return resolve(scenario([at_once(code, 1) for code in counts], target=1000)).with_sites(
        counts)


def test_the_estimate_grows_with_sites_trials_and_threads():
    base = fc.memory_bytes(1000, 2048, 60, 1, True, 1)
    assert fc.memory_bytes(2000, 2048, 60, 1, True, 1) > base
    assert fc.memory_bytes(1000, 4096, 60, 1, True, 1) > base
    assert fc.memory_bytes(1000, 2048, 60, 1, True, 2) > base


def test_an_oversized_forecast_is_refused_with_the_limit_and_a_way_out():
    with pytest.raises(BudgetError) as err:
        fc.forecast_monte_carlo(plan(80_000), n_sims=2048)
    text = str(err.value)
    assert f"{MAX_FORECAST_BYTES / 1024**2:,.0f} MB" in text and "80,000 sites" in text
    assert "Plan at most about" in text and err.value.exit_code == 2


def test_threads_are_reduced_before_a_forecast_is_refused():
    sites, n_sims, horizon = 8000, 2048, 24
    assert fc.memory_bytes(sites, n_sims, horizon, 1, True, 2) > MAX_FORECAST_BYTES
    assert fc._fit_budget(sites, n_sims, horizon, 1, True, 2) == 1




@pytest.mark.parametrize(("sites", "refused"), [(80_000, True), (6_000, False)])
def test_under_a_memory_limit_the_heavy_one_is_refused_and_the_fitting_one_runs(sites,
                                                                               refused):
    limit = 3 * 1024**3  # address space of the child [bytes]
    code = textwrap.dedent(f"""
        import resource, sys
        resource.setrlimit(resource.RLIMIT_AS, ({limit}, {limit}))
        from footprint.enrollment import forecast as fc
        from footprint.errors import BudgetError
        from tests.enrollment.test_forecast_budget import plan
        try:
            result = fc.forecast_monte_carlo(plan({sites}), n_sims=2048)
        except BudgetError as exc:
            print("refused:", exc)
            sys.exit(3)
        print("p50", result.months_to_target[1])
    """)
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         timeout=240, cwd=ROOT)
    assert "Traceback" not in run.stderr, run.stderr[-2000:]
    if refused:
        assert run.returncode == 3 and "refused:" in run.stdout
    else:
        assert run.returncode == 0 and "p50" in run.stdout
