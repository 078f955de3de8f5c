"""Which SQLAlchemy modules tests/test_gate.py needs: every branch of the gate that any
module of the installed SQLAlchemy takes, in a few small modules.

The gate is the `ast` pass (engine/survey.py: each rule's `gate` and `survey`, the model
and function indexes) and the project stage (`gate_on_project`, each rule's
`project_gate`). This script measures, with coverage.py's branch coverage of the whole
`n1fix` package, the arcs that pass takes on each module, and picks modules greedily
(most new arcs per byte) until the picked ones, with the rest of the test's corpus
(examples/, golden/, the edge files), take every arc that all of SQLAlchemy takes.

    .venv/bin/pip install coverage
    .venv/bin/python scripts/gate_corpus.py            # check test_gate's list
    .venv/bin/python scripts/gate_corpus.py --choose   # pick a list again

Run it again when the gate changes: the check fails when the list no longer covers it.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

import coverage

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "tests"))


def _arcs(data: coverage.CoverageData) -> set[tuple[str, int, int]]:
    return {
        (name, *arc)
        for name in data.measured_files()
        if "/n1fix/" in name
        for arc in data.arcs(name) or ()
    }


def gate_arcs(root: Path, sqlalchemy: list[Path]) -> set[tuple[str, int, int]]:
    """The arcs the gate takes on the test's corpus with `sqlalchemy` as its library part."""
    import test_gate
    from n1fix.engine.runner import _project, gate_on_project
    from n1fix.engine.survey import survey_file
    from n1fix.rules import all_rules

    test_gate.build_corpus(root, sqlalchemy)
    cov = coverage.Coverage(branch=True, data_file=None, source=["n1fix"])
    cov.start()
    gates = {rule.NAME: rule() for rule in all_rules()}
    surveys = {p: survey_file(p, root, gates) for p in sorted(root.rglob("*.py"))}
    project = _project(root, surveys)
    for survey in surveys.values():
        gate_on_project(survey, project, gates.values())
    cov.stop()
    return _arcs(cov.get_data())


def per_module_arcs(modules: list[Path], root: Path) -> dict[Path, set]:
    """The survey's arcs on each module alone (one coverage context a module)."""
    from n1fix.engine.survey import survey_file
    from n1fix.rules import all_rules

    gates = {rule.NAME: rule() for rule in all_rules()}
    cov = coverage.Coverage(branch=True, data_file=None, source=["n1fix"])
    cov.start()
    for module in modules:
        cov.switch_context(str(module))
        survey_file(module, root, gates)
    cov.stop()
    data = cov.get_data()
    found = {}
    for module in modules:
        data.set_query_contexts([f"^{module}$"])
        found[module] = _arcs(data)
    return found


def choose(everything: list[Path], base: set, root: Path) -> list[Path]:
    arcs = per_module_arcs(everything, root)
    wanted = set().union(*arcs.values()) - base
    picked: list[Path] = []
    while wanted:
        best = max(
            everything,
            key=lambda m: len(arcs[m] & wanted) / (m.stat().st_size + 2000),
        )
        picked.append(best)
        wanted -= arcs[best]
    return picked


def complete(picked: list[Path], rest: list[Path], reference: set, tmp: Path):
    """Add modules of `rest` to `picked` until the project stage's arcs (which need
    modules together: a class and its bases, a name and its re-bindings) are all taken:
    each time the smallest module found by halving that takes some missing arc."""
    runs = iter(range(10**6))

    def missing(modules: list[Path]) -> set:
        return reference - gate_arcs(tmp / f"run{next(runs)}", modules)

    gap = missing(picked)
    while gap:
        candidates = sorted(set(rest) - set(picked), key=lambda m: m.stat().st_size)
        while len(candidates) > 1:
            half = candidates[: len(candidates) // 2]
            candidates = (
                half if missing(picked + half) < gap else candidates[len(half) :]
            )
        if not missing(picked + candidates) < gap:
            break  # what is missing needs two modules at once: say so below
        picked.append(candidates[0])
        gap = missing(picked)
        print(f"  + {candidates[0]}: {len(gap)} arcs missing", file=sys.stderr)
        print("    so far:", *sorted(map(str, picked)), file=sys.stderr)
    return picked


def main() -> int:
    import sqlalchemy
    import test_gate

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--choose", action="store_true")
    parser.add_argument(
        "--with",
        dest="also",
        nargs="*",
        default=[],
        help="modules (relative to sqlalchemy/) to pick first, from an earlier --choose",
    )
    options = parser.parse_args()
    library = Path(sqlalchemy.__file__).resolve().parent
    everything = sorted(library.rglob("*.py"))
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        base = gate_arcs(tmp / "base", [])
        if options.choose:
            picked = [library / name for name in options.also]
            picked += [
                m for m in choose(everything, base, library.parent) if m not in picked
            ]
            print(f"picked {len(picked)} before completing", file=sys.stderr)
            reference = gate_arcs(tmp / "all", everything)
            picked = complete(picked, everything, reference, tmp)
            names = sorted(str(p.relative_to(library)) for p in picked)
            print("\n".join(f'    "{name}",' for name in names))
            listed = [library / name for name in names]
        else:
            listed = test_gate.sqlalchemy_modules()
            reference = gate_arcs(tmp / "all", everything)
        chosen = gate_arcs(tmp / "listed", listed)
    missing = reference - chosen
    size = sum(p.stat().st_size for p in listed) // 1024
    print(
        f"{len(listed)} modules ({size} KB) of {len(everything)}: "
        f"{len(chosen)} gate arcs, all of SQLAlchemy {len(reference)}, "
        f"{len(missing)} missing"
    )
    for name, start, end in sorted(missing)[:40]:
        print(f"  {Path(name).relative_to(REPO)}: {start} -> {end}")
    return 1 if missing else 0


if __name__ == "__main__":
    raise SystemExit(main())
