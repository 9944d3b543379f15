"""The README and every page of docs/ say what the code does.

* Every ```python block runs as it stands, from the repo root, with the
  committed `output/` package importable; a ```py block introduced by the
  path of a committed `output/...py` file is an excerpt of it, line for line.
* Every `md2models ...` command line shown (`$ ` lines of ```console blocks,
  `run:` lines of YAML, inline code spans, so the command tables too, and
  the entries of `.pre-commit-hooks.yaml`) names a real command and real
  options of the CLI, with real choices: a renamed flag fails here.
* Relative links resolve, anchors included; every page of docs/ has a
  title and is linked from the README.

Pages are found by glob, so a page added to docs/ is checked as it lands.
"""

from __future__ import annotations

import json
import os
import re
import shlex
import subprocess
import sys
import tomllib
from pathlib import Path
from typing import Iterator, NamedTuple, Optional

import click
import pytest
from click.testing import CliRunner
from markdown_it import MarkdownIt
from markdown_it.token import Token

import generator
from generator.cli import main
from generator.config import ConfigError, load_config
from generator.diagnostics import SpecError
from generator.overrides import load_overrides

from .support import ROOT

PAGES = [ROOT / "README.md", ROOT / "CHANGELOG.md", *sorted((ROOT / "docs").glob("*.md"))]
README_LIMIT = 12_000
PLACEHOLDER = re.compile(r"[A-Z][A-Z_]*$")  # OUT, GIT_REF: a value to fill in, not one to check
OUTPUT_FILE = re.compile(r"`?(output/[\w./-]+\.py)`?")
SHELL_SEPARATORS = {"&&", "||", ";", "|"}


class Block(NamedTuple):
    info: str
    line: int  # 1-based, of the fence
    code: str
    before: str  # the text between the previous block and this one


class Command(NamedTuple):
    where: str
    words: list[str]


def _tokens(page: Path) -> list[Token]:
    return MarkdownIt("commonmark").enable("table").parse(page.read_text(encoding="utf-8"))


def _rel(page: Path) -> str:
    return page.relative_to(ROOT).as_posix()


def blocks(page: Path) -> Iterator[Block]:
    lines = page.read_text(encoding="utf-8").splitlines()
    start = 0
    for token in _tokens(page):
        if token.type == "fence" and token.map:
            first, end = token.map
            yield Block(token.info.split()[0] if token.info.strip() else "", first + 1, token.content,
                        "\n".join(lines[start:first]))
            start = end


def _inline(page: Path) -> Iterator[tuple[int, Token]]:
    """Every inline child (code spans, links) with the line of its block."""
    for token in _tokens(page):
        if token.type == "inline" and token.children:
            for child in token.children:
                yield (token.map[0] + 1 if token.map else 0), child


def _slug(text: str) -> str:
    """GitHub's anchor for a heading."""
    return re.sub(r"[^\w\- ]", "", text.strip().lower()).replace(" ", "-")


def anchors(page: Path) -> set[str]:
    found: set[str] = set()
    tokens = _tokens(page)
    for index, token in enumerate(tokens):
        if token.type == "heading_open":
            inline = tokens[index + 1]
            text = "".join(child.content for child in inline.children or () if child.type in ("text", "code_inline"))
            slug, n = _slug(text), 1
            while slug in found:  # GitHub numbers repeated headings
                slug, n = f"{_slug(text)}-{n}", n + 1
            found.add(slug)
    return found


def commands(page: Path) -> Iterator[Command]:
    """Every md2models command line the page shows."""
    for block in blocks(page):
        for offset, line in enumerate(block.code.splitlines(), start=block.line + 1):
            if block.info == "console" and line.startswith("$ "):
                yield from _shell(f"{_rel(page)}:{offset}", line[2:])
            elif block.info in ("yaml", "yml") and re.match(r"\s*(- )?run:", line):
                yield from _shell(f"{_rel(page)}:{offset}", line.split("run:", 1)[1])
    for line, child in _inline(page):
        if child.type == "code_inline" and re.match(r"md2models(\s|$)", child.content):
            yield Command(f"{_rel(page)}:{line}", re.sub(r"[\[\]()]|\.\.\.", " ", child.content).split())


def _shell(where: str, text: str) -> Iterator[Command]:
    words: list[str] = []
    for word in [*shlex.split(text, comments=True), "&&"]:
        if word in SHELL_SEPARATORS:
            if words and words[0] == "md2models":
                yield Command(where, words)
            words = []
        else:
            words.append(word)


def problems_of(command: Command) -> list[str]:
    """What in a command line the CLI does not have: the command, an option, a choice."""
    words = command.words[1:]
    if not words or words[0] in ("--version", "--help", "-h") or PLACEHOLDER.match(words[0]):
        return []
    sub = main.commands.get(words[0])
    if sub is None:
        return [f"{command.where}: no command {words[0]!r} (md2models has {', '.join(sorted(main.commands))})"]
    options = {name: param for param in sub.params if isinstance(param, click.Option)
               for name in (*param.opts, *param.secondary_opts)}
    found = []
    for index, word in enumerate(words[1:], start=1):
        if not word.startswith("-") or word == "-" or word == "|":
            continue
        name, _, attached = word.partition("=")
        if name in ("--help", "-h"):
            continue
        option = options.get(name)
        if option is None:
            found.append(f"{command.where}: `md2models {words[0]}` has no option {name}")
            continue
        value = attached or (words[index + 1] if index + 1 < len(words) and not option.is_flag else "")
        if isinstance(option.type, click.Choice) and value and not PLACEHOLDER.match(value):
            wrong = [choice for choice in value.split("|") if choice not in option.type.choices]
            if wrong:
                found.append(f"{command.where}: {name} takes {'|'.join(map(str, option.type.choices))}, "
                             f"not {'|'.join(wrong)}")
    return found


def links(page: Path) -> Iterator[tuple[int, str]]:
    for line, child in _inline(page):
        if child.type == "link_open":
            yield line, str(child.attrs.get("href", ""))


def broken_link(page: Path, href: str) -> Optional[str]:
    if re.match(r"[a-z][a-z0-9+.-]*:", href):  # https:, mailto:: not ours to check
        return None
    path, _, anchor = href.partition("#")
    target = (page.parent / path).resolve() if path else page
    if not target.exists():
        return f"{path} does not exist"
    if anchor and target.suffix == ".md" and anchor not in anchors(target):
        return f"{target.relative_to(ROOT).as_posix()} has no heading #{anchor}"
    return None


def excerpt_file(block: Block) -> Optional[Path]:
    """The committed output file a ```py excerpt is introduced as part of, if the text names one."""
    named = OUTPUT_FILE.findall(block.before)
    return ROOT / named[-1] if named else None


def _ids(pages: list[Path]) -> list[str]:
    return [_rel(page) for page in pages]


PYTHON_PAGES = [page for page in PAGES if page.exists() and any(b.info == "python" for b in blocks(page))]


def test_the_checks_see_the_pages() -> None:
    """The collectors find what the pages hold (else every check below would pass vacuously)."""
    readme = ROOT / "README.md"
    assert ROOT / "README.md" in PYTHON_PAGES
    shown = [c.words[:2] for c in commands(readme)]
    assert ["md2models", "generate"] in shown and ["md2models", "check"] in shown
    assert any(href.startswith("docs/") for _, href in links(readme))
    assert "install-and-the-first-run" in anchors(readme)


RUNNER = """
import json, sys, traceback
sys.path.insert(0, "output")
failed = []
for where, code in json.loads(sys.stdin.read()):
    try:
        exec(compile(code, where, "exec"), {"__name__": "__main__"})
    except BaseException:
        failed.append(where + ":\\n" + traceback.format_exc())
print(json.dumps(failed))
"""


@pytest.mark.parametrize("page", PYTHON_PAGES, ids=_ids(PYTHON_PAGES))
def test_python_blocks_run(page: Path) -> None:
    code = [(f"{_rel(page)}:{b.line}", b.code) for b in blocks(page) if b.info == "python"]
    env = {**os.environ, "PYTHONHASHSEED": "0", "PYTHONDONTWRITEBYTECODE": "1"}  # nothing left in output/
    ran = subprocess.run([sys.executable, "-c", RUNNER], cwd=ROOT, input=json.dumps(code), capture_output=True,
                         text=True, env=env, timeout=120)
    assert ran.returncode == 0, ran.stderr
    failed = json.loads(ran.stdout.splitlines()[-1])
    assert not failed, "\n".join(failed)


@pytest.mark.parametrize("page", [p for p in PAGES if p.exists()], ids=_ids([p for p in PAGES if p.exists()]))
def test_excerpts_of_generated_code_are_in_the_output(page: Path) -> None:
    for block in blocks(page):
        source = excerpt_file(block) if block.info == "py" else None
        if source is None:
            continue
        assert source.is_file(), f"{_rel(page)}:{block.line}: {source} is not a committed output file"
        lines = iter(source.read_text(encoding="utf-8").splitlines())  # each line found after the one before
        missing = next((line for line in block.code.splitlines() if line.strip() and line not in lines), None)
        assert missing is None, f"{_rel(page)}:{block.line}: {missing!r} is not in {source.relative_to(ROOT)} there"


@pytest.mark.parametrize("page", [p for p in PAGES if p.exists()], ids=_ids([p for p in PAGES if p.exists()]))
def test_command_lines_use_real_commands_and_options(page: Path) -> None:
    found = [problem for command in commands(page) for problem in problems_of(command)]
    assert not found, "\n".join(found)


def test_the_pre_commit_hooks_use_real_options() -> None:
    hooks = ROOT / ".pre-commit-hooks.yaml"
    entries = [line.split("entry:", 1)[1] for line in hooks.read_text(encoding="utf-8").splitlines()
               if line.strip().startswith("entry:")]
    assert entries
    found = [problem for entry in entries for command in _shell(".pre-commit-hooks.yaml", entry)
             for problem in problems_of(command)]
    assert not found, "\n".join(found)


def test_a_renamed_option_or_command_is_caught() -> None:
    def check(line: str) -> list[str]:
        return [p for c in _shell("x", line) for p in problems_of(c)]

    assert check("md2models generate docs -o out --strict --target dataclasses") == []
    assert check("md2models check --no-strict --format json") == []
    assert check("md2models generate --out-dir out") == ["x: `md2models generate` has no option --out-dir"]
    assert check("md2models generate --target attrs")  # no such choice
    assert check("md2models build")  # no such command
    assert check("pip install . && md2models lint --unreferenced") == []


@pytest.mark.parametrize("page", [p for p in PAGES if p.exists()], ids=_ids([p for p in PAGES if p.exists()]))
def test_toml_and_json_blocks_are_what_md2models_reads(page: Path, tmp_path: Path) -> None:
    """JSON parses; TOML parses, a `[tool.md2models]` table is a valid config,
    and an overrides table (inline, or a file's top-level `[models...]`) passes
    the overrides file's own checks."""
    for block in blocks(page):
        where = f"{_rel(page)}:{block.line}"
        if block.info == "json":
            json.loads(block.code)
        elif block.info == "toml":
            try:
                data = tomllib.loads(block.code)
            except tomllib.TOMLDecodeError as exc:
                pytest.fail(f"{where}: {exc}")
            name = "pyproject.toml" if "tool" in data else "overrides.toml"
            (tmp_path / name).write_text(block.code, encoding="utf-8")
            try:
                if "tool" in data:
                    load_config(tmp_path)
                if "models" in data or isinstance(data.get("tool", {}).get("md2models", {}).get("overrides"), dict):
                    load_overrides(tmp_path / name)
            except ConfigError as exc:
                pytest.fail(f"{where}: {exc}")
            except SpecError as exc:
                pytest.fail(f"{where}: " + "; ".join(f"line {d.line}: {d.message}" for d in exc.diagnostics))


@pytest.mark.parametrize("page", [p for p in PAGES if p.exists()], ids=_ids([p for p in PAGES if p.exists()]))
def test_relative_links_resolve(page: Path) -> None:
    broken = [f"{_rel(page)}:{line}: {href}: {why}" for line, href in links(page)
              if (why := broken_link(page, href)) is not None]
    assert not broken, "\n".join(broken)


def test_every_docs_page_has_a_title_and_is_linked_from_the_readme() -> None:
    readme = ROOT / "README.md"
    linked = {(readme.parent / href.partition("#")[0]).resolve() for _, href in links(readme)}
    for page in sorted((ROOT / "docs").glob("*.md")):
        assert page.read_text(encoding="utf-8").startswith("# "), f"{_rel(page)} does not start with a # title"
        assert page.resolve() in linked, f"{_rel(page)} is not linked from the README"


def test_the_changelog_top_release_is_the_version() -> None:
    """Keep a Changelog form, and `md2models --version` prints its top released version."""
    text = (ROOT / "CHANGELOG.md").read_text(encoding="utf-8")
    headings = re.findall(r"^## (.*)$", text, re.MULTILINE)
    released = [re.fullmatch(r"\[(\d+\.\d+\.\d+)\] - (\d{4}-\d{2}-\d{2})", h) for h in headings if h != "[Unreleased]"]
    assert released and all(released), f"release headings are '## [X.Y.Z] - YYYY-MM-DD': {headings}"
    assert [m.group(1) for m in released if m][0] == generator.__version__
    assert "[Unreleased]" not in headings[1:], "[Unreleased] comes first"
    for heading in re.findall(r"^### (.*)$", text, re.MULTILINE):
        assert heading in ("Added", "Changed", "Deprecated", "Removed", "Fixed", "Security"), heading
    printed = CliRunner().invoke(main, ["--version"])
    assert printed.exit_code == 0 and printed.output == f"md2models, version {generator.__version__}\n"
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    assert "version" not in project["project"] and "version" in project["project"]["dynamic"]
    assert project["tool"]["hatch"]["version"]["path"] == "generator/__init__.py"


def test_the_readme_is_a_front_page() -> None:
    assert len((ROOT / "README.md").read_text(encoding="utf-8")) <= README_LIMIT
