"""`--format black`: custom templates need not be black-stable; the
built-in ones are, so black changes nothing of theirs; black is imported
only when a file has to be formatted."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from generator.config import ConfigError, load_config

from .specgen import contents, md2models, object_doc, row, write_spec

REPO = Path(__file__).resolve().parent.parent
NOT_BLACK_STABLE = "__generated_by__ = ('md2models',)\n"


@pytest.fixture
def project(tmp_path: Path) -> Path:
    write_spec(tmp_path, {
        "models/pet.md": object_doc("Pet", [row("name", "*str*"), row("age", "*Optional[int]*", required=False)]),
        "models/owner.md": object_doc("Owner", [row("pet", "[models.Pet](../models/pet.md)")]),
    })
    module = (REPO / "templates" / "python" / "module.py.jinja").read_text(encoding="utf-8")
    first, rest = module.split("\n", 1)
    (tmp_path / "tpl" / "python").mkdir(parents=True)
    (tmp_path / "tpl" / "python" / "module.py.jinja").write_text(f"{first}\n{NOT_BLACK_STABLE}{rest}", encoding="utf-8")
    return tmp_path


def run(project: Path, command: str, out: str, *options: str) -> int:
    done = md2models(command, project / "specs", "--out", project / out, "--package", "pkg", *options)
    assert "Traceback" not in done.stderr, done.explain()
    return done.code


def test_black_formats_what_custom_templates_render(project: Path) -> None:
    custom = ("--templates", str(project / "tpl"))
    assert run(project, "generate", "out", *custom, "--format", "black") == 0
    module = (project / "out" / "pkg" / "models" / "pet.py").read_text(encoding="utf-8")
    assert '__generated_by__ = ("md2models",)\n' in module  # black's quotes
    assert run(project, "check", "out", *custom, "--formatter", "black") == 0
    assert run(project, "check", "out", *custom, "--format", "black") == 0  # spelt as on generate
    assert run(project, "check", "out", *custom) == 1  # unformatted, the files differ
    assert (project / "out" / ".md2models-cache" / "black.marshal").is_file()
    assert run(project, "generate", "out2", *custom) == 0
    assert NOT_BLACK_STABLE in (project / "out2" / "pkg" / "models" / "pet.py").read_text(encoding="utf-8")


def test_black_changes_nothing_the_built_in_templates_render(project: Path) -> None:
    assert run(project, "generate", "plain") == 0
    assert run(project, "generate", "black", "--format", "black") == 0
    assert contents(project / "plain") == contents(project / "black")
    assert run(project, "check", "black") == 0


def test_a_no_op_run_does_not_import_black(project: Path) -> None:
    code = (
        "import sys; from pathlib import Path; from generator import api\n"
        "root = Path(sys.argv[1]); api.generate(root / 'specs', root / 'out', 'pkg', templates=root / 'tpl',"
        " format='black', jobs=1)\n"
        "print('black' in sys.modules)\n"
    )
    runs = [subprocess.run([sys.executable, "-c", code, str(project)], cwd=REPO, capture_output=True, text=True,
                           timeout=120) for _ in range(2)]
    assert [r.stdout for r in runs] == ["True\n", "False\n"], [r.stderr for r in runs]


def test_a_template_black_cannot_parse_is_an_error_and_nothing_is_written(project: Path) -> None:
    (project / "tpl" / "python" / "module.py.jinja").write_text("def (:\n", encoding="utf-8")
    done = md2models("generate", project / "specs", "--out", project / "out", "--package", "pkg",
                     "--templates", project / "tpl", "--format", "black")
    assert done.code == 2 and "black cannot format the rendered file" in done.stderr, done.explain()
    assert not (project / "out").exists()


def test_the_config_key(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text('[tool.md2models]\nformat = "black"\n', encoding="utf-8")
    assert load_config(tmp_path).format == "black"
    (tmp_path / "pyproject.toml").write_text('[tool.md2models]\nformat = "ruff"\n', encoding="utf-8")
    with pytest.raises(ConfigError, match="format must be one of none, black"):
        load_config(tmp_path)


def test_the_black_cache_keeps_only_the_last_runs_files(project: Path) -> None:
    import marshal

    from generator import api
    from generator.formatting import CACHE_FILE

    cache = project / "out" / ".md2models-cache" / CACHE_FILE

    def remembered() -> int:
        return len(marshal.loads(cache.read_bytes())["digests"])

    def generate() -> None:
        api.generate(project / "specs", project / "out", "pkg", templates=project / "tpl", format="black", jobs=1)

    generate()
    first = remembered()
    pet = project / "specs" / "models" / "pet.md"
    original = pet.read_text(encoding="utf-8")
    for word in ("one", "two", "three"):  # each edit renders pet.py anew
        pet.write_text(original.replace("| name", f"| name_{word}"), encoding="utf-8")
        generate()
        assert remembered() == first
    pet.write_text(original, encoding="utf-8")
    generate()
    assert remembered() == first
