"""Keep a small ledger of repaired items and summarise it by month."""

from __future__ import annotations

import csv
import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Repair:
    day: dt.date
    item: str
    fault: str
    fixed: bool
    replacement_eur: float


def read_ledger(path: Path) -> list[Repair]:
    """Read one repair per CSV row; raise ValueError naming the bad row."""
    repairs = []
    with path.open(newline="", encoding="utf-8") as handle:
        for line_number, row in enumerate(csv.DictReader(handle), start=2):
            try:
                repairs.append(
                    Repair(
                        day=dt.date.fromisoformat(row["day"]),
                        item=row["item"].strip(),
                        fault=row["fault"].strip(),
                        fixed=row["fixed"].lower() in {"yes", "true", "1"},
                        replacement_eur=float(row["replacement_eur"]),
                    )
                )
            except (KeyError, ValueError) as error:
                raise ValueError(f"{path}:{line_number}: cannot read row {row!r}: {error}") from error
    return repairs


def monthly_summary(repairs: list[Repair]) -> dict[str, dict[str, float]]:
    """Return, per month, the repair rate and the replacement value saved."""
    by_month: dict[str, list[Repair]] = defaultdict(list)
    for repair in repairs:
        by_month[repair.day.strftime("%Y-%m")].append(repair)

    summary = {}
    for month, items in sorted(by_month.items()):
        fixed = [item for item in items if item.fixed]
        summary[month] = {
            "items": len(items),
            "repair_rate": len(fixed) / len(items),
            "saved_eur": round(sum(item.replacement_eur for item in fixed), 2),
        }
    return summary


def most_common_faults(repairs: list[Repair], limit: int = 3) -> list[tuple[str, int]]:
    counts: dict[str, int] = defaultdict(int)
    for repair in repairs:
        counts[repair.fault] += 1
    return sorted(counts.items(), key=lambda pair: (-pair[1], pair[0]))[:limit]


if __name__ == "__main__":
    ledger = read_ledger(Path("repairs.csv"))
    for month, figures in monthly_summary(ledger).items():
        print(f"{month}: {figures['items']:3d} items, {figures['repair_rate']:.0%} fixed, {figures['saved_eur']:8.2f} EUR saved")
