"""The HR users workbook (``users.xlsx``): one row per rep, current and former, with team, manager,
region and employment dates."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from generator.sample.writers import CrmExport, export_moment, write_xlsx

if TYPE_CHECKING:
    from generator.sample.world import World

FIRST_NAMES = (
    "James", "Maria", "Wei", "Aisha", "Lucas", "Sofia", "Mateo", "Emma", "Noah", "Olivia",
    "Liam", "Ava", "Ethan", "Mia", "Arjun", "Priya", "Kenji", "Yuki", "Lars", "Ingrid",
    "Søren", "Freya", "José", "Lucía", "Diego", "Camila", "Omar", "Fatima", "Chen", "Mei",
    "Hugo", "Chloé", "Louis", "Léa", "Jonas", "Anna", "Felix", "Clara", "Mateus", "Beatriz",
    "Rafael", "Isabela", "Tomás", "Valentina", "Kwame", "Amara", "Tunde", "Zainab", "Ivan", "Olga",
    "Piotr", "Zofia", "Henrik", "Astrid", "Mikael", "Elin", "Daniel", "Sarah", "Michael", "Jessica",
    "David", "Emily", "Ryan", "Hannah", "Kevin", "Laura", "Brian", "Rachel", "Jason", "Megan",
    "Ahmed", "Layla", "Ravi", "Ananya", "Hiroshi", "Sakura", "Min-jun", "Ji-woo", "Carlos", "Gabriela",
    "Andrés", "Daniela", "Björn", "Sigrid", "Patrick", "Siobhan", "Marco", "Giulia", "Stefan", "Zoë",
)  # fmt: skip
LAST_NAMES = (
    "Smith", "Johnson", "Garcia", "Martinez", "Lee", "Kim", "Nguyen", "Patel", "Sharma", "Chen",
    "Wang", "Tanaka", "Sato", "Larsen", "Nielsen", "Andersson", "Johansson", "Virtanen", "Müller", "Schmidt",
    "Fischer", "Dubois", "Martin", "Bernard", "Rossi", "Bianchi", "Silva", "Santos", "Oliveira", "Pereira",
    "Rodríguez", "López", "Hernández", "González", "Fernández", "Díaz", "Okafor", "Mensah", "Adeyemi", "Kowalski",
    "Nowak", "Novak", "Ivanova", "Petrov", "O'Brien", "Murphy", "Walsh", "Brown", "Davis", "Miller",
    "Wilson", "Moore", "Taylor", "Anderson", "Thomas", "Jackson", "White", "Harris", "Clark", "Lewis",
    "Robinson", "Walker", "Young", "Allen", "King", "Wright", "Scott", "Hill", "Green", "Adams",
    "Baker", "Nelson", "Carter", "Mitchell", "Roberts", "Turner", "Phillips", "Campbell", "Parker", "Evans",
    "Edwards", "Collins", "Stewart", "Morris", "Haddad", "Khan", "Singh", "Gupta", "Yamamoto", "Berg",
)  # fmt: skip

COLUMNS = {
    "rep_id": "User ID",
    "name": "Full Name",
    "team": "Team",
    "manager": "Manager",
    "region": "Region",
    "hired": "Hire Date",
    "left": "Termination Date",
}
"""Export column of each canonical field, in sheet order."""
SHEET = "Users"


def person_names(rng: np.random.Generator, n: int) -> list[str]:
    """``n`` distinct "First Last" names (a middle initial when the combinations run out)."""
    n_first, n_last = len(FIRST_NAMES), len(LAST_NAMES)
    pairs = n_first * n_last
    codes = (
        rng.choice(pairs * 27, size=n, replace=False)
        if n > pairs
        else rng.choice(pairs, n, replace=False)
    )
    names = []
    for code in codes.tolist():  # one per person, not per deal
        initial, pair = divmod(code, pairs)
        first, last = FIRST_NAMES[pair // n_last], LAST_NAMES[pair % n_last]
        names.append(f"{first} {chr(64 + initial)}. {last}" if initial else f"{first} {last}")
    return names


def write(world: World, path: Path) -> None:
    """Write one sheet with real date cells, stamped with the period's last day."""
    reps = world.tables["reps"]
    write_xlsx(
        path,
        SHEET,
        {COLUMNS[name]: reps[name].to_pylist() for name in COLUMNS},
        export_moment(world.end),
        date_columns={COLUMNS["hired"], COLUMNS["left"]},
    )


EXPORT = CrmExport(
    "reps",
    "users.xlsx",
    COLUMNS,
    "HR users workbook: one row per rep, current and former.",
    write,
    {"sheet": SHEET},
)
