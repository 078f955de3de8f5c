"""Which fixes of one file can be applied together, and their texts merged into one.

Every fix is built against the same text. Two fixes do not interact when:
- each changes only the function around its finding (the innermost `def`), apart from
  import lines at the top of the module; a fix that adds code anywhere else (a helper
  next to the function, a batch method in the class) or edits another file goes alone;
- their functions do not overlap (two loops of one function, or a function nested in
  another one, share names and data: the second fix must see the first's result);
- their import edits do not overlap, unless they are the same edit (two fixes that both
  add `from collections import defaultdict` add it once).
Then each fix's edit, applied to the original text, gives exactly that fix's text, and
the merged text is each function as its own fix left it. The caller still re-parses,
compiles and re-checks the merged text once; when that fails it falls back to one fix at
a time.
"""

from __future__ import annotations

import ast
import difflib
import re
from dataclasses import dataclass, field

import libcst as cst

# Line breaks `str.splitlines` knows beyond those of Python's tokenizer: with one of them in
# the text, its line numbers and `ast`'s would disagree. Such a file goes one fix at a time.
_ODD_BREAKS = re.compile("[\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029]")

# A line of a parenthesised import list: `    name,` / `    name as alias,` / `)`.
_IMPORT_LIST_LINE = re.compile(
    r"^\s*(?:[A-Za-z_]\w*(?:\s+as\s+[A-Za-z_]\w*)?\s*,?\s*|\)\s*|)$"
)


@dataclass(frozen=True)
class Hunk:
    """Lines `start:end` (0-based, end excluded) of the original become `text`."""

    start: int
    end: int
    text: str

    def touches(self, other: "Hunk") -> bool:
        return self.start <= other.end and other.start <= self.end


@dataclass
class Layout:
    """Where the functions and the import header of a text are."""

    functions: list[tuple[int, int]]  # (first, last) line of each def, 1-based
    header_end: int  # lines [0, header_end) are the docstring and the leading imports

    @classmethod
    def of(cls, text: str) -> "Layout | None":
        try:
            tree = ast.parse(text)
        except (SyntaxError, ValueError, RecursionError, MemoryError):
            return None
        functions = [
            (node.lineno, node.end_lineno or node.lineno)
            for node in ast.walk(tree)
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))
        ]
        header_end = 0
        for index, statement in enumerate(tree.body):
            docstring = (
                index == 0
                and isinstance(statement, ast.Expr)
                and isinstance(statement.value, ast.Constant)
            )
            if not (docstring or isinstance(statement, (ast.Import, ast.ImportFrom))):
                break
            header_end = statement.end_lineno or statement.lineno
        return cls(functions, header_end)

    def home(self, line: int) -> tuple[int, int] | None:
        """The innermost function around `line`, or None at module level."""
        around = [span for span in self.functions if span[0] <= line <= span[1]]
        return max(around, key=lambda span: span[0]) if around else None


@dataclass
class Batch:
    """Fixes chosen to go together, with the hunks of their edits."""

    original: list[str]
    layout: Layout
    homes: list[tuple[int, int]] = field(default_factory=list)
    imports: list[Hunk] = field(default_factory=list)
    hunks: list[Hunk] = field(default_factory=list)
    size: int = 0

    module: cst.Module | None = None
    # Line of the original where each top-level statement's text starts (0-based).
    starts: list[int] = field(default_factory=list)

    @classmethod
    def start(cls, module: cst.Module) -> "Batch | None":
        text = module_text(module)
        if _ODD_BREAKS.search(text):
            return None
        layout = Layout.of(text)
        if layout is None:
            return None
        batch = cls(text.splitlines(keepends=True), layout, module=module)
        if module.has_trailing_newline:
            line = len(
                "".join(module.code_for_node(h) for h in module.header).splitlines()
            )
            for statement in module.body:
                batch.starts.append(line)
                line += len(statement_code(module, statement).splitlines())
            if line + len(
                "".join(module.code_for_node(f) for f in module.footer).splitlines()
            ) != len(batch.original):
                batch.starts = []  # the pieces do not add up: diff whole texts
        return batch

    def free_home(self, line: int) -> tuple[int, int] | None:
        """The function of a finding at `line` when no chosen fix's function overlaps it."""
        home = self.layout.home(line)
        if home is None or any(home[0] <= b and a <= home[1] for a, b in self.homes):
            return None
        return home

    def add(self, home: tuple[int, int], new_module: cst.Module) -> bool:
        """Take the fix whose result is `new_module` if it is local to `home` and does not
        touch the chosen fixes' edits; say whether it was taken."""
        hunks = self._hunks(new_module)
        if not hunks:
            return False
        local, imports = [], []
        for hunk in hunks:
            if _inside(hunk, home):
                local.append(hunk)
            elif self._import_edit(hunk):
                imports.append(hunk)
            else:
                return False
        new_imports = [h for h in imports if h not in self.imports]
        if any(h.touches(other) for h in new_imports for other in self.imports):
            return False
        if any(h.touches(other) for h in local for other in self.hunks + self.imports):
            return False
        self.homes.append(home)
        self.imports.extend(new_imports)
        self.hunks.extend(local)
        self.size += 1
        return True

    def merged(self) -> str:
        lines = list(self.original)
        for hunk in sorted(
            self.hunks + self.imports, key=lambda h: h.start, reverse=True
        ):
            lines[hunk.start : hunk.end] = [hunk.text] if hunk.text else []
        return "".join(lines)

    def _hunks(self, new: cst.Module) -> list[Hunk]:
        """The fix's edits as line hunks of the original. Only the top-level statements the
        fix rebuilt (LibCST keeps every untouched node) are printed and compared."""
        old = self.module
        same_frame = (
            self.starts
            and new.has_trailing_newline
            and len(new.header) == len(old.header)
            and all(a is b for a, b in zip(new.header, old.header))
            and len(new.footer) == len(old.footer)
            and all(a is b for a, b in zip(new.footer, old.footer))
        )
        if not same_frame:
            return _hunks(self.original, module_text(new))
        hunks = []
        ends = [*self.starts[1:], len(self.original) - _footer_lines(old)]
        matcher = difflib.SequenceMatcher(
            None, [id(s) for s in old.body], [id(s) for s in new.body], autojunk=False
        )
        for tag, i1, i2, j1, j2 in matcher.get_opcodes():
            if tag == "equal":
                continue
            base = self.starts[i1] if i1 < len(self.starts) else ends[-1]
            end = ends[i2 - 1] if i2 > i1 else base
            new_text = "".join(statement_code(new, s) for s in new.body[j1:j2])
            hunks.extend(
                Hunk(base + h.start, base + h.end, h.text)
                for h in _hunks(self.original[base:end], new_text)
            )
        return hunks

    def _import_edit(self, hunk: Hunk) -> bool:
        if hunk.end > self.layout.header_end or hunk.start > self.layout.header_end:
            return False
        if not hunk.text.strip():
            return True
        try:
            body = ast.parse(hunk.text).body
        except (SyntaxError, ValueError, RecursionError, MemoryError):
            return all(_IMPORT_LIST_LINE.match(line) for line in hunk.text.splitlines())
        return all(
            isinstance(statement, (ast.Import, ast.ImportFrom)) for statement in body
        )


# (id of a statement, newline, indent) -> (the statement, its code): the many fixes of one
# file rebuild only their own statements, and print the others' text once. The entry
# keeps its node alive, so an id is not reused while cached.
_CODE: dict[tuple, tuple[cst.CSTNode, str]] = {}


def statement_code(module: cst.Module, statement: cst.CSTNode) -> str:
    key = (id(statement), module.default_newline, module.default_indent)
    hit = _CODE.get(key)
    if hit is not None and hit[0] is statement:
        return hit[1]
    if len(_CODE) > 20_000:
        _CODE.clear()
    code = module.code_for_node(statement)
    _CODE[key] = (statement, code)
    return code


def forget() -> None:
    """Drop what was kept for one file's fixes (the nodes of its trees)."""
    from n1fix.cst.imports import forget_statement_names

    _CODE.clear()
    forget_statement_names()


def module_text(module: cst.Module) -> str:
    """`module.code`, printing only statements not printed before."""
    if not module.has_trailing_newline:
        return module.code
    return (
        "".join(module.code_for_node(h) for h in module.header)
        + "".join(statement_code(module, s) for s in module.body)
        + "".join(module.code_for_node(f) for f in module.footer)
    )


def _footer_lines(module: cst.Module) -> int:
    return len("".join(module.code_for_node(f) for f in module.footer).splitlines())


def _hunks(old: list[str], new_text: str) -> list[Hunk]:
    new = new_text.splitlines(keepends=True)
    matcher = difflib.SequenceMatcher(None, old, new, autojunk=False)
    return [
        Hunk(i1, i2, "".join(new[j1:j2]))
        for tag, i1, i2, j1, j2 in matcher.get_opcodes()
        if tag != "equal"
    ]


def _inside(hunk: Hunk, home: tuple[int, int]) -> bool:
    """Within the function's lines: an insertion strictly between its first and last line
    (before the `def` or after its end it would be code outside the function)."""
    first, last = home[0] - 1, home[1]  # 0-based, last excluded
    if hunk.start == hunk.end:
        return first < hunk.start < last
    return first <= hunk.start and hunk.end <= last
