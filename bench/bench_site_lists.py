"""Site lists with country names (issue 14, item 4): what reading names costs beside codes.

Parses a 5,000-site list (MAX_SITE_LIST_ROWS) through the reader the app calls, with the
country as ISO3 codes, as English names and variants people write, and as 5,000 distinct
unknown names (a hostile file: every row a problem, refused), measured interleaved in one run.
Targets: names <= 2x codes; the unknown names refused in <= 1 s (bench_hostile's target).
Run: .venv/bin/python -m bench.bench_site_lists
"""

from __future__ import annotations

import time

import pycountry

from bench.common import figure, ratio_figure, report
from footprint.assumptions import MAX_SITE_LIST_ROWS
from footprint.errors import SiteListError
from footprint.io.site_lists import parse_site_list

VALID = frozenset(c.alpha_3 for c in pycountry.countries)
CODES = ["BRA", "USA", "KOR", "CZE", "TUR", "RUS", "GBR", "DEU", "MEX", "IND"]
NAMES = ["Brasil", "United States", "South Korea", "Czech Republic", "Turkey", "Russia",
         "UK", "Germany", "México", "India"]


def site_list(countries: list[str]) -> bytes:
    rows = "".join(f"Site {i},{countries[i % len(countries)]}\n"
                   for i in range(MAX_SITE_LIST_ROWS))
    return ("site_name,country\n" + rows).encode()


def read(data: bytes) -> None:
    """Parse a list as the app does; a refusal is an outcome here, not a failure."""
    try:
        parse_site_list(data, VALID)
    except SiteListError:
        pass


def main() -> None:
    codes, names = site_list(CODES), site_list(NAMES)
    unknown = site_list([f"Qz{i}land" for i in range(MAX_SITE_LIST_ROWS)])
    t_codes: list[float] = []
    t_names: list[float] = []
    t_unknown: list[float] = []
    for _ in range(7):  # interleaved: the three cases share the machine's load
        for data, out in ((codes, t_codes), (names, t_names), (unknown, t_unknown)):
            start = time.perf_counter()
            read(data)
            out.append(time.perf_counter() - start)
    report("bench_site_lists", [
        figure("5,000 sites, ISO3 codes", t_codes, float("inf")),
        figure("5,000 sites, country names", t_names, float("inf")),
        ratio_figure("names / codes", t_names, t_codes, 2.0),
        figure("5,000 distinct unknown names (refused)", t_unknown, 1.0),
    ])


if __name__ == "__main__":
    main()
