"""Run n1fix over paths: survey with `ast`, build the project index, check and fix.

Files are processed in worker processes when there are enough of them to pay for the
start-up; a handful of files (a pre-commit run) stay in this process.
"""

from __future__ import annotations

import functools
import itertools
import json
import os
import sys
import time
from dataclasses import dataclass, field, replace
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Collection, Iterable

from n1fix.config import Config
from n1fix.engine.collector import collect_rarely
from n1fix.engine.discovery import discover
from n1fix.engine.fileio import SourceError, SourceFile, read_source
from n1fix.orm.imports import clear_resolution_cache, module_name_for
from n1fix.rules import all_rules, select_rules
from n1fix.rules.base import Finding, GatedFile, Rule
from n1fix.rules.project import (
    ProjectContext,
    ProjectModule,
    SharedFacts,
    line_length_for,
)

if TYPE_CHECKING:
    from n1fix.engine.survey import Survey
    from n1fix.orm.models import ModelIndex

# Below this many files a process pool costs more than it saves.
POOL_THRESHOLD = 24


@dataclass
class FileChange:
    path: Path
    display: str
    source: SourceFile
    new_text: str
    applied: list[Finding]
    # Fixes in other files whose code this change adds (a batch method for their calls).
    companion_for: list[Finding] = field(default_factory=list)
    # Files whose changes this one needs: written first, and this one not without them.
    requires: set[Path] = field(default_factory=set)


@dataclass
class RunResult:
    findings: list[Finding] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)  # one line each, `path: reason`
    warnings: list[str] = field(
        default_factory=list
    )  # one line each: skipped, not an error
    temps: list[Path] = field(
        default_factory=list
    )  # temp files an interrupted run may have left
    failures: list[str] = field(default_factory=list)  # fixes dropped by verification
    changes: list[FileChange] = field(default_factory=list)
    files_checked: int = 0  # files read and checked (not those in `files_failed`)
    files_failed: int = 0  # files found that could not be read, parsed or checked
    companions: list = field(
        default_factory=list
    )  # (CompanionEdit or NewFile, Finding, caller path)
    # The last new file of each chain created in this run (a migrations folder's new head).
    chain_ends: dict = field(default_factory=dict)
    # The project-wide index the rules used (reports re-run one fix at a time with it).
    project: ProjectContext | None = None


def display_path(path: Path, cwd: Path | None = None) -> str:
    cwd = cwd or Path.cwd()
    try:
        return str(path.relative_to(cwd))
    except ValueError:
        return str(path)


def run(
    paths: list[Path],
    root: Path,
    config: Config,
    *,
    fix: bool = False,
    jobs: int | None = None,
    use_gate: bool = True,
    progress: Callable[[int, int], None] | None = None,
    review=None,
    share_facts: bool = False,
    memo: bool = False,
) -> RunResult:
    """Check (and with `fix`, rewrite in memory) the Python files under `paths`.

    `use_gate=False` sends every file to every rule: for testing that the gate only
    saves time and never loses a finding. `progress(done, total)` is told after each
    file the precise pass checks. `review` (with `fix`) is asked about each fix, file by
    file in this process (the interactive prompt; see `fixer.fix_text`). With `memo`
    (and the cache on), an unchanged tree gets the last same command's answer
    (`engine/run_memo.py`), without the project index (`result.project` None).
    """
    started_ns = time.time_ns()
    clear_resolution_cache()
    _forget_project_facts()
    rules = [rule() for rule in select_rules(config.select, config.ignore)]
    selected = {rule.NAME for rule in rules}
    result = RunResult()
    found = discover(
        paths,
        root=root,
        exclude=config.exclude,
        extend_exclude=config.extend_exclude,
        respect_gitignore=config.respect_gitignore,
        force_exclude=config.force_exclude,
        include_tests=config.include_tests,
    )
    result.errors.extend(str(e) for e in found.errors)
    result.warnings.extend(
        f"{display_path(Path(e.path))}: {e.reason}" for e in found.skipped
    )
    result.temps = found.temps
    jobs = jobs or config.jobs or os.cpu_count() or 1
    settings = repr((sorted(r.NAME for r in rules), use_gate))

    last_run = None
    if memo and config.cache and not fix and not share_facts:
        from n1fix.engine.run_memo import RunMemo, command_key

        key = command_key(Path.cwd(), paths, config, settings, use_gate)
        last_run = RunMemo.load(root, key, started_ns)
        answer = last_run.answer(found.files, root)
        if answer is not None:
            result.findings = answer.findings
            result.errors.extend(answer.errors)
            result.files_failed = answer.files_failed
            result.files_checked = len(found.files) - answer.files_failed
            return result
    errors_before = len(result.errors)

    cache = None
    if config.cache and not fix:
        from n1fix.engine.cache import Cache

        cache = Cache.load(root, settings)
        if cache.unusable:
            result.warnings.append(cache.unusable)
    pool = None
    try:
        facts_of = selected
        if share_facts:
            facts_of = selected | {r.NAME for r in all_rules() if r.SHARES_FACTS}
        surveys = _survey_all(
            found.files, root, jobs, cache, facts_of=facts_of, memo=last_run
        )
        project = _project(root, surveys, with_orm=False)
        # What the project gates read besides the surveys (the templates a view
        # renders): the run memo keys this run's answer on it too.
        gate_reads = _gate_reads() if last_run is not None else None
        targets = _gated(
            found.files, surveys, project, rules, selected, use_gate, gate_reads
        )
        # The modules hooking the models matter to the checks alone (a bulk write skips
        # the hooks): when no file is to be checked, the project is not walked for them
        # (the gates ask no model about its hooks).
        hooks = None
        if targets and _walks_project(paths, surveys, root):
            from n1fix.engine.hook_modules import hook_surveys

            hooks = hook_surveys(paths, surveys, root, config)
            if hooks.surveys:
                surveys.update(hooks.surveys)
                project = _project(root, surveys, with_orm=False)
                targets = _gated(
                    found.files, surveys, project, rules, selected, use_gate
                )
        result.project = project
        for path in found.files:
            if surveys[path].error:
                result.errors.append(f"{display_path(path)}: {surveys[path].error}")
                result.files_failed += 1
        result.files_checked = len(found.files) - result.files_failed
        bases: dict[Path, str] = {}
        used_reads: list = []  # what each target's check read, cached or new
        if cache is not None and targets:
            from n1fix.engine.reads import Replay
            from n1fix.orm.dialects import dialect_name_for

            file_digest = _file_digests(surveys, root)
            replay = Replay(project, file_digest)
            dialect_name = dialect_name_for(_imported(surveys))
            pending = []
            for survey in targets:
                bases[survey.path] = _check_base(
                    dialect_name, project, selected, survey.gated if use_gate else None
                )
                hit = cache.findings(
                    survey.path, survey.digest, bases[survey.path], replay
                )
                if hit is None:
                    pending.append(survey)
                else:
                    used_reads.append(
                        cache.reads(survey.path, survey.digest, bases[survey.path])
                    )
                    # The cache holds them as the run that checked the file named it,
                    # from its own directory: name it from this run's.
                    display = display_path(survey.path)
                    result.findings.extend(replace(f, path=display) for f in hit)
            targets = pending
        if targets:
            # Only now: choosing the dialect imports LibCST, which a run whose files
            # were all turned away by the gate, or all found in the cache, never needs.
            project.orm = _dialect(surveys, project.models)
        else:
            project.choose_orm = partial(
                _dialect, surveys, project.models
            )  # for reports that fix
        tasks = [
            (
                s.path,
                s.module_name,
                s.imports,
                s.gated if use_gate else None,
                cache is not None,
            )
            for s in targets
        ]
        if jobs > 1 and len(tasks) >= POOL_THRESHOLD and review is None:
            from concurrent.futures import (
                ProcessPoolExecutor,
            )  # 10 ms of imports: only when used

            # The first file is checked here before the workers start: forked, they
            # inherit what its check imported (LibCST's native parser, the checker,
            # the rules' analyses: 0.2 CPU s on prefect), which each of them imported
            # again before.
            _init_worker(project, config, fix)
            first = _work(tasks[0])
            pool = ProcessPoolExecutor(
                max_workers=jobs,
                initializer=_init_worker,
                initargs=(project, config, fix),
            )
            outcomes = itertools.chain(
                [first],
                pool.map(_work, tasks[1:], chunksize=max(1, len(tasks) // (jobs * 8))),
            )
        else:
            _init_worker(project, config, fix, review)
            outcomes = map(_work, tasks)
        for done, (survey, outcome) in enumerate(zip(targets, outcomes), start=1):
            _collect(result, outcome)
            if progress is not None:
                progress(done, len(targets))
            if cache is not None and outcome[0] == "found" and outcome[2] is not None:
                reads = outcome[2].to_json(file_digest)
                reads["whole_key"] = replay.whole_key(reads)
                used_reads.append(reads)
                cache.add_findings(
                    survey.path, survey.digest, bases[survey.path], reads, outcome[1]
                )
    finally:
        if pool is not None:
            pool.shutdown()
        if cache is not None:
            cache.save()
    if result.companions:
        _apply_companions(result)
        _settle(result, surveys, root, config, review)
    result.findings.sort(key=Finding.sort_key)
    if last_run is not None:
        if gate_reads is not None:
            used_reads.append(gate_reads.to_json(_file_digests(surveys, root)))
        _remember(
            last_run,
            result,
            found.files,
            surveys,
            root,
            used_reads,
            errors_before,
            hooks,
        )
    return result


def survey_file(*args, **kwargs) -> Survey:
    """`n1fix.engine.survey.survey_file`, imported when first needed: the survey's fact
    modules are a third of a clean file's start-up, and a run the memo answers surveys
    nothing."""
    from n1fix.engine.survey import survey_file as survey

    return survey(*args, **kwargs)


def _walks_project(paths: list[Path], surveys: dict[Path, Survey], root: Path) -> bool:
    from n1fix.engine.hook_modules import walks_project

    return walks_project(paths, surveys, root)


def _gated(
    files: list[Path],
    surveys: dict[Path, Survey],
    project: ProjectContext,
    rules: list[Rule],
    selected: set[str],
    use_gate: bool,
    reads=None,
) -> list[Survey]:
    """The surveys of the files some selected rule is to check (every readable file
    without `use_gate`), each let through by the project gates first; what those read
    of the project's other files is noted in `reads` (a `FileReads`) when given."""
    from contextlib import nullcontext

    targets = []
    facts_of = _facts_of(files, surveys)
    with _observing(reads) if reads is not None else nullcontext():
        for path in files:
            survey = surveys[path]
            gate_on_project(survey, project, rules)
            if survey.error:
                continue
            if use_gate:
                survey = turn_away_on_project(survey, project, rules, facts_of)
            if not use_gate or survey.gated is None or set(survey.gated) & selected:
                targets.append(survey)
    return targets


def _facts_of(
    files: list[Path], surveys: dict[Path, Survey]
) -> Callable[[str, Path], object]:
    """A rule's survey facts of a project file by the path import resolution gives
    (`GatedFile.facts_of`); KeyError when the run did not survey it for that rule."""
    from n1fix.engine.same_files import as_discovered

    discovered = None

    def facts_of(rule: str, path: Path):
        nonlocal discovered
        survey = surveys.get(path)
        if survey is None:
            discovered = discovered or as_discovered(files)
            survey = surveys.get(discovered(path))
        if survey is None:
            raise KeyError(path)
        return survey.rule_facts[rule]

    return facts_of


def _gate_reads():
    from n1fix.engine.reads import FileReads

    return FileReads()


def _observing(reads):
    from n1fix.engine.reads import observing

    return observing(reads)


def _remember(
    last_run,
    result: RunResult,
    files: list[Path],
    surveys: dict[Path, Survey],
    root: Path,
    used_reads: list,
    errors_before: int,
    hooks=None,
) -> None:
    """Keep this run's answer in the run memo, with what it depended on (with `hooks`,
    the paths the walk for hook modules looked at: `hook_modules.Hooks`)."""
    from n1fix.orm.imports import listed_folders, resolve_module_path

    if any(type(reads) is not dict for reads in used_reads):
        return  # a check whose reads are not known: nothing says what it used
    read_files = {
        path
        for reads in used_reads
        for kind in ("files", "modules")
        for path in reads[kind]
    }
    stamps = last_run.stamps(
        {str(path): survey.digest for path, survey in surveys.items()},
        read_files,
        _file_digests(surveys, root),
    )
    walk = last_run.walk_stamps(hooks) if hooks else {}
    if stamps is None or walk is None:
        return
    # The folders each survey's import check lists, and each check's resolutions (made
    # in workers, or in an earlier run): looked up here, so that they are known. The
    # memo knows those of the files it saw unchanged, while no folder has changed.
    reuse = last_run.folders_unchanged()
    is_file = functools.cache(Path.is_file)
    for path, survey in surveys.items():
        if not (reuse and last_run.surveyed_unchanged(str(path))):
            _imports_still_resolve(survey, root, is_file)
    facts: dict[str, str] = {}
    for reads in used_reads:
        facts.update(reads["facts"])
        for key in reads["resolved"]:
            module, top, near = json.loads(key)
            resolve_module_path(
                module, Path(top), near=None if near is None else Path(near)
            )
    last_run.record(
        checked=files,
        files=stamps,
        walk=walk,
        dirs=listed_folders(),
        facts=facts,
        line_length=result.project.line_length,
        findings=result.findings,
        errors=result.errors[errors_before:],
        files_failed=result.files_failed,
    )


def _forget_project_facts() -> None:
    """The project facts read from files other than modules are remembered per process:
    forget them (the dependency files and migrations may have changed). A module not yet
    imported remembers nothing, and is not imported for this."""
    for module, function in (
        ("n1fix.sql.drivers", "declares_psycopg2"),
        ("n1fix.sql.schema_files", "schema_indexes"),
    ):
        if module in sys.modules:
            getattr(sys.modules[module], function).cache_clear()


MAX_ROUNDS = 3


def _settle(
    result: RunResult, surveys: dict[Path, Survey], root: Path, config: Config, review
) -> None:
    """Run the fixes again on callers whose fixes added code to other files.

    The project index of the first round did not know the methods those fixes added, so a
    fix that needs to know them (two new batch calls that each open their own session may
    be gathered) only becomes possible now. Without this, a second `apply` would change
    the code again.
    """
    from n1fix.engine.checker import file_context
    from n1fix.engine.fixer import fix_text, one_line

    gates = {rule.NAME: rule() for rule in all_rules()}
    rules = [rule() for rule in select_rules(config.select, config.ignore)]
    # Callers of code added to existing files: a file a fix creates (a migration) adds
    # nothing the project index reads.
    existing = {change.path for change in result.changes if change.source.exists}
    callers = {
        change.path
        for change in result.changes
        if change.path in existing and change.requires & existing
    }
    for _ in range(MAX_ROUNDS):
        for change in result.changes:
            surveys[change.path] = survey_file(
                change.path, root, gates, text=change.new_text
            )
        project = _project(root, surveys)
        changed = False
        for change in [c for c in result.changes if c.path in callers]:
            survey = surveys[change.path]

            def make(text: str, change=change, survey=survey):
                return file_context(
                    change.path,
                    change.display,
                    text,
                    survey.module_name,
                    survey.imports,
                    project,
                )

            try:
                outcome = fix_text(
                    change.new_text,
                    make,
                    rules,
                    unsafe_fixes=config.unsafe_fixes,
                    review=review,
                )
            except Exception as error:  # noqa: BLE001 - the first round's fixes of this file stand
                result.failures.append(
                    one_line(
                        f"{change.display}: further fixes not tried: {type(error).__name__}: {error}"
                    )
                )
                continue
            result.failures.extend(outcome.failures)
            if outcome.applied:
                changed = True
                change.new_text = outcome.text
                change.applied.extend(outcome.applied)
                result.companions.extend(
                    (edit, finding, change.path) for edit, finding in outcome.companions
                )
        if result.companions:
            _apply_companions(result)
        if not changed:
            return


def _apply_companions(result: RunResult) -> None:
    """Add the code fixes need in other files (batch methods) to those files' changes.

    A caller's change depends on its companions: when one cannot be applied, the caller's
    whole change is dropped (its calls would name a method that does not exist). Files
    fixes create come last, for the callers still kept, so none is created for a caller
    dropped afterwards (a chain of them would then follow a file never written).
    """
    from n1fix.cst.companions import CompanionFailed, NewFile, apply_companion

    by_path = {change.path: change for change in result.changes}
    dropped: set[Path] = set()
    edits = [c for c in result.companions if not isinstance(c[0], NewFile)]
    edits += [c for c in result.companions if isinstance(c[0], NewFile)]
    created: dict[Path, Path] = {}  # a file created -> the caller it is for
    for edit, finding, caller in edits:
        if caller in dropped:
            continue
        if isinstance(edit, NewFile):
            path = _create_companion(result, by_path, edit, finding, caller)
            if path is None:
                dropped.add(caller)
            elif path in by_path:
                created[path] = caller
            continue
        change = by_path.get(edit.path)
        try:
            if change is None:
                source = read_source(edit.path)
                change = FileChange(edit.path, edit.display, source, source.text, [])
            new_text = apply_companion(change.new_text, edit)
            compile(new_text, edit.display, "exec", dont_inherit=True)
        except (
            SourceError,
            CompanionFailed,
            SyntaxError,
            ValueError,
            RecursionError,
            MemoryError,
        ) as error:
            reason = getattr(error, "reason", None) or str(error)
            dropped.add(caller)
            result.failures.append(
                f"{finding.path}:{finding.line}:{finding.column}: {finding.rule}: fix dropped with the other fixes in "
                f"its file: {edit.display} cannot take `{edit.name}` ({reason})"
            )
            continue
        change.new_text = new_text
        change.companion_for.append(finding)
        if edit.path not in by_path:
            by_path[edit.path] = change
            result.changes.append(change)
        if caller != edit.path:
            by_path[caller].requires.add(edit.path)
    gone = _uncreate(created, dropped, by_path)
    result.changes = [
        c for c in result.changes if c.path not in dropped and c.path not in gone
    ]
    result.companions = []


def _uncreate(created: dict, dropped: set, by_path: dict) -> set:
    """The created files whose caller was dropped (a later file of the same caller could
    not be created), and, in turn, the callers of files chained after them."""
    gone: set[Path] = set()
    changed = True
    while changed:
        changed = False
        for path, caller in created.items():
            if caller in dropped and path not in gone:
                gone.add(path)
                changed = True
            elif caller not in dropped and by_path[path].requires & gone:
                dropped.add(caller)
                changed = True
    return gone


def _create_companion(
    result: RunResult, by_path: dict, edit, finding, caller
) -> Path | None:
    """Add a file a fix creates to the changes, after the one before it in its chain,
    and give its path (also when an earlier run created it as it is); None (and why, in
    the failures) when it cannot be."""
    previous = result.chain_ends.get(edit.chain) if edit.chain else None
    if previous is not None:
        edit = edit.after(previous.link)
    reason = None
    folder = edit.path.parent
    if edit.path in by_path:
        reason = "another fix of this run writes it"
    elif not folder.is_dir():
        reason = f"{display_path(folder)} is not a folder"
    elif not os.access(folder, os.W_OK):
        reason = f"{display_path(folder)} is not writable"
    elif os.path.lexists(edit.path):
        try:
            same = read_source(edit.path).text == edit.text
        except SourceError as error:
            same, reason = False, error.reason
        if same:  # an earlier run created it
            by_path[caller].requires.discard(edit.path)
            return edit.path  # nothing to create
        reason = reason or "a different file of that name is there"
    if reason is not None:
        result.failures.append(
            f"{finding.path}:{finding.line}:{finding.column}: {finding.rule}: fix dropped with the other fixes in "
            f"its file: cannot create {edit.display} ({reason})"
        )
        return None
    change = FileChange(
        edit.path, edit.display, SourceFile.absent(edit.path), edit.text, []
    )
    change.companion_for.append(finding)
    if previous is not None:
        change.requires.add(previous.path)
    result.changes.append(change)
    by_path[edit.path] = change
    by_path[caller].requires.add(edit.path)
    if edit.chain:
        result.chain_ends[edit.chain] = edit
    return edit.path


def _survey_all(
    files: list[Path],
    root: Path,
    jobs: int = 1,
    cache=None,
    facts_of: Collection[str] | None = None,
    memo=None,
) -> dict[Path, Survey]:
    """Survey the files and every project module they import; a pool only for many files
    still to read (a warm run with everything cached starts no process). The rules named
    in `facts_of` (default: all) gather their facts."""
    # Every rule's gate, not only the selected ones: surveys are cached across runs
    # whose selections differ.
    from n1fix.engine.same_files import as_discovered

    gates = {rule.NAME: rule() for rule in all_rules()}
    surveys: dict[Path, Survey] = {}
    pending = list(files)
    discovered = as_discovered(files)
    if cache is not None:
        wanted = {
            name
            for name, rule in gates.items()
            if rule.surveys_files() and (facts_of is None or name in facts_of)
        }
        pending = _cached_surveys(
            pending, root, surveys, cache, wanted, memo, discovered
        )
    while pending:
        if jobs > 1 and len(pending) >= POOL_THRESHOLD:
            from concurrent.futures import ProcessPoolExecutor

            survey_one = partial(survey_file, root=root, rules=gates, facts_of=facts_of)
            # The first file is surveyed here before the workers start: forked, they
            # inherit the survey's modules, which each of them imported again before.
            batch = [survey_one(pending[0])]
            with ProcessPoolExecutor(max_workers=jobs) as pool:
                batch += pool.map(survey_one, pending[1:], chunksize=16)
        else:
            batch = [survey_file(p, root, gates, facts_of=facts_of) for p in pending]
        pending = []
        queued: set[Path] = set()
        for survey in batch:
            surveys[survey.path] = survey
            survey.resolved = [discovered(target) for target in survey.resolved]
            if cache is not None and survey.digest and not survey.error:
                cache.add_survey(survey)
        # Follow imports into the project so the model index covers what the files use.
        for survey in batch:
            for target in survey.resolved:
                if target not in surveys and target not in queued:
                    queued.add(target)
                    pending.append(target)
    # One order whatever came from the cache: where two files define the same name (a
    # tree holding a copy of itself), the project index keeps one of them, and its
    # answers and fingerprint must not depend on which files were cached.
    return {path: surveys[path] for path in sorted(surveys, key=str)}


def _imports_still_resolve(
    survey: Survey, root: Path, is_file: Callable[[Path], bool] = Path.is_file
) -> bool:
    """Do the file's imports find the same project files as when it was surveyed? (A module
    added to the project, or one removed, changes what an unchanged file imports.)"""
    from n1fix.orm.imports import resolve_module_path, top_level_names

    if any(not is_file(target) for target in survey.resolved):
        return False
    folder = (
        survey.path.parent
    )  # the same answers as from the file, remembered per folder
    # Most are third-party modules: a name no project folder holds is not looked up.
    tops = top_level_names(root, folder)
    return not any(
        resolve_module_path(m, root, near=folder)
        for m in getattr(survey, "unresolved", ())
        if m.partition(".")[0] in tops
    )


def _has_facts(survey: Survey, wanted: set[str]) -> bool:
    # A file `ast` cannot parse has no facts, and needs none: every rule looks at it.
    return survey.gated is None or wanted <= survey.rule_facts.keys()


def _cached_surveys(
    paths: list[Path],
    root: Path,
    surveys: dict[Path, Survey],
    cache,
    wanted: set[str],
    memo=None,
    discovered: Callable[[Path], Path] = lambda path: path,
) -> list[Path]:
    """Fill `surveys` from the cache; return the paths still to survey (and what they import).

    A survey made while other rules were selected may lack the facts of a rule in `wanted`:
    the file is surveyed again. A file the run memo saw unchanged is not read to hash it,
    and when no folder import resolution looked at has changed either, its imports
    resolve as they did."""
    from n1fix.engine.fileio import content_hash, read_regular

    listings_unchanged = memo is not None and memo.folders_unchanged()
    missing: list[Path] = []
    # Many files import the same modules: each looked at once.
    is_file = functools.cache(Path.is_file)
    queue = list(paths)
    seen = set(queue)
    while queue:
        path = queue.pop()
        digest = memo.digest(str(path)) if memo is not None else None
        known = digest is not None
        if digest is None:
            try:
                digest = content_hash(read_regular(path))
            except OSError:
                missing.append(path)
                continue
        survey = cache.survey(path, digest)
        if (
            survey is None
            or not _has_facts(survey, wanted)
            or not (
                (
                    known
                    and listings_unchanged
                    and all(memo.digest(str(t)) for t in survey.resolved)
                )
                or _imports_still_resolve(survey, root, is_file)
            )
        ):
            missing.append(path)
            continue
        surveys[path] = survey
        for target in map(discovered, survey.resolved):
            if target not in seen:
                seen.add(target)
                queue.append(target)
    return missing


def _project(
    root: Path, surveys: dict[Path, Survey], with_orm: bool = True
) -> ProjectContext:
    """The project index joined from the surveys; without its ORM dialect (None) unless
    `with_orm`."""
    from n1fix.orm.functions import FunctionIndex
    from n1fix.orm.models import ModelIndex
    from n1fix.orm.session_use import SessionUseIndex

    facts = [fact for survey in surveys.values() for fact in survey.models]
    functions = FunctionIndex.from_facts(
        (f for survey in surveys.values() for f in survey.functions),
        (name for survey in surveys.values() for name in survey.defined),
    )
    models = ModelIndex.from_facts(facts)
    django = [f for survey in surveys.values() for f in survey.django_models]
    if django and _may_use_django(surveys):  # (imported only then)
        from n1fix.orm.django_models import with_django_models

        models = with_django_models(models, django, facts)
    return ProjectContext(
        root=root,
        models=models,
        orm=_dialect(surveys, models) if with_orm else None,
        line_length=line_length_for(root),
        functions=functions,
        session_use=SessionUseIndex.from_facts(
            f for survey in surveys.values() for f in survey.session_use
        ),
        read_module=_ProjectModules(root),
        shared_facts=_shared_facts(surveys),
    )


def _may_use_django(surveys: dict[Path, Survey]) -> bool:
    """Can a class of the project be a Django model, or Django's own be used? Only when
    some module imports from `django` (a model's base, a contrib model, the user
    model's getter all come from there), or is Django's own code. A file of classes in a
    `models` module of a project that never imports Django (prefect's) gives Django
    class facts that join to nothing: joining them, with Django's contrib models, took
    a fifth of a one-file re-scan."""
    from n1fix.orm.django_facts import DjangoBindingFacts

    for survey in surveys.values():
        if survey.module_name.partition(".")[0] == "django" or any(
            isinstance(fact, DjangoBindingFacts) for fact in survey.django_models
        ):
            return True
        if any(
            qualified.partition(".")[0] == "django"
            for qualified in survey.imports.values()
        ):
            return True
    return False


def _shared_facts(surveys: dict[Path, Survey]) -> dict[str, dict[str, SharedFacts]]:
    """Every file's facts for each rule whose check reads them all (`SHARES_FACTS`)."""
    shared: dict[str, dict[str, SharedFacts]] = {}
    for rule in all_rules():
        if not rule.SHARES_FACTS:
            continue
        shared[rule.NAME] = {
            str(path): SharedFacts(
                survey.module_name,
                display_path(path),
                survey.imports,
                survey.rule_facts[rule.NAME],
            )
            for path, survey in surveys.items()
            if survey.rule_facts.get(rule.NAME)
        }
    return shared


def dialect_for(imported: Iterable[str], models: ModelIndex | None = None):
    """`n1fix.orm.dialects.dialect_for`, imported when first needed: the dialects import
    LibCST."""
    from n1fix.orm.dialects import dialect_for as choose

    return choose(imported, models)


def _dialect(surveys: dict[Path, Survey], models: ModelIndex):
    return dialect_for(_imported(surveys), models)


def _imported(surveys: dict[Path, Survey]) -> Iterable[str]:
    return (
        qualified
        for survey in surveys.values()
        for qualified in survey.imports.values()
    )


def _check_base(
    dialect_name: str, project: ProjectContext, selected: set[str], gated
) -> str:
    """What a file's cached findings are keyed by besides its content and its reads: the
    dialect, the line length of generated code, the rules that checked it, the facts
    of the whole project those rules read (`Rule.SHARES_FACTS`), and the folder n1fix
    runs from (a message names another file as seen from there)."""
    rules = sorted(name for name in selected if gated is None or name in gated)
    shared = "".join(
        project.shared_fingerprint(name)
        for name in rules
        if name in project.shared_facts
    )
    return (
        f"{dialect_name}:{project.line_length}:{','.join(rules)}"
        f"{':' + shared if shared else ''}:{os.getcwd()}"
    )


def _file_digests(surveys: dict[Path, Survey], root: Path) -> Callable[[str], str]:
    """The content hash of a project file by its path, from its survey or read once (a
    path outside the project, which only a crafted cache entry names, is not read)."""
    from n1fix.engine.fileio import content_hash, read_regular
    from n1fix.engine.reads import OUTSIDE

    known = {str(path): s.digest for path, s in surveys.items() if s.digest}
    top = os.path.abspath(root)

    def digest(path: str) -> str:
        if path not in known:
            if os.path.commonpath([top, os.path.abspath(path)]) != top:
                return OUTSIDE
            try:
                known[path] = content_hash(read_regular(Path(path)))
            except OSError:
                known[path] = "unreadable"
        return known[path]

    return digest


class _ProjectModules:
    """Reads a project file as a rule reads it to plan code in it (`read_module`), or
    says why it cannot be read: without the comment and blank lines after its last line
    of code (`cst.trailing_comments`), so that the plans of the files that call into it,
    and their cached findings, do not change with those lines. Its name and imports are
    read once per text: query-in-loop plans many callees in the same few modules
    (open-webui: 76 reads of 17 files)."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self._read: dict[Path, ProjectModule] = {}

    def __call__(self, path: Path) -> ProjectModule | str:
        from n1fix.cst.trailing_comments import without_trailing_comments

        try:
            text = without_trailing_comments(read_source(path).text)
        except SourceError as error:
            return error.reason
        kept = self._read.get(path)
        if kept is not None and kept.text == text:
            return kept
        module_name = module_name_for(path, self.root)
        module = ProjectModule(
            path,
            display_path(path),
            text,
            module_name,
            _module_imports(path, text, module_name),
        )
        self._read[path] = module
        return module

    def __getstate__(self) -> dict:
        return {"root": self.root, "_read": {}}  # each process reads its own


def _module_imports(path: Path, text: str, module_name: str) -> dict[str, str]:
    """The imports `survey_file(path, root, {}, text=text)` finds, without the survey's
    fact extractors (models, query functions, session use): a plan reads only the
    module's name and imports."""
    from n1fix.engine.survey import imports_of

    return imports_of(path, text, module_name)


def gate_on_project(
    survey: Survey, project: ProjectContext, rules: Iterable[Rule]
) -> None:
    """Let a file through to each rule whose `project_gate` says that, knowing the whole
    project, the file may hold a finding though the per-file gate turned it away (a loop
    calling a project function that runs a query, say)."""
    if survey.gated is None:
        return
    for rule in rules:
        if rule.NAME not in survey.gated and rule.project_gate(
            survey.rule_facts.get(rule.NAME), project
        ):
            survey.gated.append(rule.NAME)


def turn_away_on_project(
    survey: Survey,
    project: ProjectContext,
    rules: Iterable[Rule],
    facts_of: Callable[[str, Path], object],
) -> Survey:
    """The survey as the checks are to see it: without the rules whose
    `project_turns_away` says that, knowing the whole project, the file holds nothing
    for them though their gate let it through. A copy when a rule is taken off: the
    survey itself, which the results cache keeps, keeps every rule its gate let
    through, so that a later run whose project says otherwise checks the file again."""
    if not survey.gated:
        return survey
    file = None
    kept = []
    for name in survey.gated:
        rule = next((r for r in rules if r.NAME == name), None)
        if rule is not None:
            if file is None:
                file = GatedFile(
                    survey.path,
                    survey.module_name,
                    survey.imports,
                    facts_of,
                    partial(_find_module, root=project.root, near=survey.path),
                )
            if rule.project_turns_away(survey.rule_facts.get(name), file, project):
                continue
        kept.append(name)
    if len(kept) == len(survey.gated):
        return survey
    return replace(survey, gated=kept)


def _find_module(qualified_module: str, root: Path, near: Path) -> Path | None:
    from n1fix.orm.imports import resolve_module_path

    return resolve_module_path(qualified_module, root, near=near)


_STATE: dict = {}


def _init_worker(
    project: ProjectContext, config: Config, fix: bool, review=None
) -> None:
    collect_rarely()  # a worker started by spawn, not fork, has the default thresholds
    _STATE["review"] = review
    _STATE["project"] = project
    _STATE["config"] = config
    _STATE["fix"] = fix
    _STATE["rules"] = {
        rule.NAME: rule() for rule in select_rules(config.select, config.ignore)
    }


def _work(task):
    # LibCST (a quarter of a second to import) loads only when some file needs it.
    from n1fix.engine.checker import ParseFailure, file_context, run_rules
    from n1fix.engine.fixer import fix_text, one_line

    path, module_name, imports, gated, record = task
    project: ProjectContext = _STATE["project"]
    config: Config = _STATE["config"]
    rules = [
        rule for name, rule in _STATE["rules"].items() if gated is None or name in gated
    ]
    display = display_path(path)
    try:
        source = read_source(path)
    except SourceError as error:
        return ("error", f"{display}: {error.reason}")
    try:
        if _STATE["fix"]:
            outcome = fix_text(
                source.text,
                lambda text: file_context(
                    path, display, text, module_name, imports, project
                ),
                rules,
                unsafe_fixes=config.unsafe_fixes,
                review=_STATE.get("review"),
            )
            return ("fixed", path, display, source, outcome)
        if not record:
            ctx = file_context(
                path, display, source.text, module_name, imports, project
            )
            findings = run_rules(ctx, rules)
            reads = None
        else:
            from n1fix.engine.reads import FileReads, observing, recording

            reads = FileReads()
            ctx = file_context(
                path,
                display,
                source.text,
                module_name,
                imports,
                recording(project, reads),
            )
            with observing(reads):
                findings = run_rules(ctx, rules)
        for finding in findings:
            finding.plan = None  # plans hold tree nodes: not for the trip back
        return ("found", findings, reads)
    except ParseFailure as error:
        return ("error", f"{display}: {error}")
    except RecursionError:
        return ("error", f"{display}: too deeply nested for n1fix to analyse")
    except Exception as error:  # noqa: BLE001 - one file's internal error must not stop the run
        return (
            "error",
            one_line(f"{display}: internal error: {type(error).__name__}: {error}"),
        )


def _collect(result: RunResult, outcome) -> None:
    kind = outcome[0]
    if kind == "error":
        result.errors.append(outcome[1])
        result.files_checked -= 1
        result.files_failed += 1
    elif kind == "found":
        result.findings.extend(outcome[1])
    else:
        _, path, display, source, fixed = outcome
        result.findings.extend(fixed.findings)
        result.failures.extend(fixed.failures)
        if fixed.changed:
            result.changes.append(
                FileChange(path, display, source, fixed.text, fixed.applied)
            )
        result.companions.extend(
            (edit, finding, path) for edit, finding in fixed.companions
        )
