"""`md2models lsp`: real JSON-RPC round trips over stdio, on a namespaced
fixture of our own (tests/lsp: models/components/, models/operations/,
overrides, camelCase wire names) and on the orq 3.4.0 corpus."""

from __future__ import annotations

import os
import shutil
from types import SimpleNamespace
from pathlib import Path
from typing import Any, Iterator

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from generator import lspserver
from generator.fmt import format_text

from .lspclient import LspClient
from .support import corpus_docs
from .test_workspace import MUTATIONS, mutate

FIXTURE = Path(__file__).parent / "lsp"


@pytest.fixture(scope="module")
def shop(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[LspClient, Path]]:
    """One server on a copy of the fixture (some tests change files on disk)."""
    root = tmp_path_factory.mktemp("shop")
    shutil.copytree(FIXTURE, root, dirs_exist_ok=True)
    client = LspClient(root)
    client.initialize(root)
    yield client, root
    client.close()


def doc(root: Path, name: str) -> Path:
    return root / "spec" / "models" / name


def line_of(path: Path, text: str) -> int:
    return next(n for n, line in enumerate(path.read_text().split("\n")) if text in line)


def result(response: dict[str, Any]) -> Any:
    assert "error" not in response, response
    return response["result"]


def test_initialize_announces_every_capability(tmp_path: Path) -> None:
    shutil.copytree(FIXTURE, tmp_path, dirs_exist_ok=True)
    client = LspClient(tmp_path)
    try:
        capabilities = client.initialize(tmp_path)["result"]["capabilities"]
        for provider in ("definitionProvider", "referencesProvider", "hoverProvider", "completionProvider",
                         "documentFormattingProvider", "codeActionProvider"):
            assert capabilities[provider], provider
        client.diagnostics(client.open(tmp_path / "spec" / "models" / "components" / "pet.md"))
        [registration] = [r for r in client.server_requests if r["method"] == "client/registerCapability"]
        [watching] = registration["params"]["registrations"]
        assert watching["method"] == "workspace/didChangeWatchedFiles"
    finally:
        assert client.stop() == 0


def test_open_publishes_lint_diagnostics(shop: tuple[LspClient, Path]) -> None:
    client, root = shop
    assert client.diagnostics(client.open(doc(root, "components/pet.md"))) == []


def test_definition_from_reference_link_path_and_union_member(shop: tuple[LspClient, Path]) -> None:
    client, root = shop
    pet = doc(root, "components/pet.md")
    uri = client.open(pet)
    row = line_of(pet, "`kind`")
    text = pet.read_text().split("\n")[row]
    for character in (text.index("PetKind"), text.index("petkind.md")):
        [target] = result(client.at("textDocument/definition", uri, row, character))
        assert target["uri"] == doc(root, "components/petkind.md").as_uri()
        assert target["range"]["start"]["line"] == 0
    animal = doc(root, "components/animal.md")
    member = line_of(animal, "value: components.Owner")
    [target] = result(client.at("textDocument/definition", client.open(animal), member, 20))
    assert target["uri"] == doc(root, "components/owner.md").as_uri()


def test_references_name_every_row_and_member(shop: tuple[LspClient, Path]) -> None:
    client, root = shop
    pet = doc(root, "components/pet.md")
    found = result(client.at("textDocument/references", client.open(pet), 0, 3, context={"includeDeclaration": False}))
    where = sorted((Path(f["uri"]).name, f["range"]["start"]["line"]) for f in found)
    owner, animal, response = (doc(root, n) for n in ("components/owner.md", "components/animal.md",
                                                       "operations/getpetresponse.md"))
    assert where == sorted([("owner.md", line_of(owner, "`pets`")), ("animal.md", line_of(animal, "### `components.Pet`")),
                            ("getpetresponse.md", line_of(response, "`pet`"))])


def test_hover_shows_the_generated_python(shop: tuple[LspClient, Path]) -> None:
    client, root = shop
    pet = doc(root, "components/pet.md")
    uri = client.open(pet)

    def hover(line: int, character: int = 2) -> str:
        return result(client.at("textDocument/hover", uri, line, character))["contents"]["value"]  # type: ignore

    assert "class Pet(BaseModel):" in hover(0)
    assert 'pet_id: Annotated[str, pydantic.Field(alias="id")]' in hover(line_of(pet, "`pet_id`"))  # the override
    nick = hover(line_of(pet, "`nick_name`"))  # camelCase wire names, and its default
    assert 'OptionalNullable[str], pydantic.Field(alias="nickName")' in nick and "UNSET" in nick
    row = line_of(pet, "`owner`")
    about = hover(row, pet.read_text().split("\n")[row].index("Owner"))
    assert "components.Owner" in about and "Who owns a pet." in about


def test_completion_offers_links_types_and_marks(shop: tuple[LspClient, Path]) -> None:
    client, root = shop
    response = doc(root, "operations/getpetresponse.md")
    lines = response.read_text().split("\n")
    row = line_of(response, "`status_code`")
    lines[row] = "| `status_code` | Pe | :heavy_check_mark: | N/A |"
    uri = client.open(response, "\n".join(lines))
    items = result(client.at("textDocument/completion", uri, row, lines[row].index("Pe") + 2))["items"]
    pet = next(i for i in items if i["label"] == "components.Pet")
    assert pet["textEdit"]["newText"] == "[components.Pet](../../models/components/pet.md)"
    lines[row] = "| `status_code` | Opt | :heavy_check_mark: | N/A |"
    client.change(uri, "\n".join(lines), 2)
    items = result(client.at("textDocument/completion", uri, row, lines[row].index("Opt") + 3))["items"]
    assert {"Optional[", "OptionalNullable["} <= {i["label"] for i in items}
    items = result(client.at("textDocument/completion", uri, row, lines[row].index(":heavy") + 1))["items"]
    assert {i["label"] for i in items} == {":heavy_check_mark:", ":heavy_minus_sign:"}
    client.change(uri, response.read_text(), 3)


def test_formatting_returns_fmt_text(shop: tuple[LspClient, Path]) -> None:
    client, root = shop
    owner = doc(root, "components/owner.md")
    uri = client.open(owner)
    [edit] = result(client.request("textDocument/formatting", {"textDocument": {"uri": uri},
                                                              "options": {"tabSize": 4, "insertSpaces": True}}))
    assert edit["newText"] == format_text(owner.read_text(), "models/components/owner.md")


def test_an_edit_shows_dangling_links_elsewhere_and_they_clear(shop: tuple[LspClient, Path]) -> None:
    client, root = shop
    owner, pet = doc(root, "components/owner.md"), doc(root, "components/pet.md")
    uri = client.open(owner)
    client.settle()
    text = owner.read_text()
    client.notify("textDocument/didChange", {"textDocument": {"uri": uri, "version": 10}, "contentChanges": [
        {"range": {"start": {"line": 0, "character": 2}, "end": {"line": 0, "character": 7}}, "text": "Keeper"}]})
    found = client.diagnostics(pet.as_uri())
    assert [d["code"] for d in found] == ["dangling-link"]
    assert "no doc defines components.Owner" in found[0]["message"] and found[0]["severity"] == 2
    row = line_of(pet, "`owner`")
    assert found[0]["range"]["start"] == {"line": row, "character": pet.read_text().split("\n")[row].index("[Optional")}
    client.change(uri, text, 11)
    assert client.diagnostics(pet.as_uri()) == []


def test_a_wrong_link_path_is_underlined(shop: tuple[LspClient, Path]) -> None:
    client, root = shop
    pet = doc(root, "components/pet.md")
    uri = client.open(pet)
    client.settle()
    text = pet.read_text()
    client.change(uri, text.replace("components/owner.md)", "components/ownr.md)"), 30)
    [found] = client.diagnostics(uri)
    row = line_of(pet, "`owner`")
    start = pet.read_text().split("\n")[row].index("../../models/components/owner.md")
    assert found["code"] == "link-mismatch" and "points at models/components/ownr.md" in found["message"]
    assert found["range"] == {"start": {"line": row, "character": start},
                              "end": {"line": row, "character": start + len("../../models/components/ownr.md")}}
    client.change(uri, text, 31)
    assert client.diagnostics(uri) == []


def test_code_actions_fix_a_misspelt_reference(shop: tuple[LspClient, Path]) -> None:
    client, root = shop
    pet = doc(root, "components/pet.md")
    uri = client.open(pet)
    client.settle()
    text = pet.read_text()
    client.change(uri, text.replace("[components.PetKind](../../models/components/petkind.md)",
                                    "[components.PetKnd](../../models/components/petknd.md)"), 20)
    assert [d["code"] for d in client.diagnostics(uri)] == ["dangling-link"]
    row = line_of(pet, "`kind`")
    actions = result(client.request("textDocument/codeAction", {
        "textDocument": {"uri": uri}, "context": {"diagnostics": []},
        "range": {"start": {"line": row, "character": 0}, "end": {"line": row, "character": 0}}}))
    titles = [a["title"] for a in actions]
    assert titles == ["did you mean components.PetKind?", "create the missing doc models/components/petknd.md"]
    edits = actions[0]["edit"]["documentChanges"][0]["edits"]
    assert sorted(e["newText"] for e in edits) == ["../../models/components/petkind.md", "components.PetKind"]
    create, write = actions[1]["edit"]["documentChanges"]
    assert create == {"kind": "create", "uri": doc(root, "components/petknd.md").as_uri(),
                      "options": {"ignoreIfExists": True}}
    assert write["edits"][0]["newText"].startswith("# PetKnd\n")
    client.change(uri, text, 21)
    assert client.diagnostics(uri) == []


def test_files_changed_on_disk_are_picked_up(shop: tuple[LspClient, Path]) -> None:
    client, root = shop
    owner, pet = doc(root, "components/owner.md"), doc(root, "components/pet.md")
    text = owner.read_text()
    client.notify("textDocument/didClose", {"textDocument": {"uri": owner.as_uri()}})  # the disk's text counts
    client.settle()
    owner.unlink()
    client.notify("workspace/didChangeWatchedFiles", {"changes": [{"uri": owner.as_uri(), "type": 3}]})
    assert "no doc defines components.Owner" in client.diagnostics(pet.as_uri())[0]["message"]
    owner.write_text(text)
    client.notify("workspace/didChangeWatchedFiles", {"changes": [{"uri": owner.as_uri(), "type": 1}]})
    assert client.diagnostics(pet.as_uri()) == []


def test_overrides_problems_are_published_at_the_overrides_file(shop: tuple[LspClient, Path]) -> None:
    client, root = shop
    overrides = root / "overrides.toml"
    text = overrides.read_text()
    client.settle()
    overrides.write_text(text + "\n[models.Nobody.fields.x]\nalias = \"y\"\n")
    client.notify("workspace/didChangeWatchedFiles", {"changes": [{"uri": overrides.as_uri(), "type": 2}]})
    [found] = client.diagnostics(overrides.as_uri())
    assert found["code"] == "stale-override" and "Nobody" in found["message"]
    assert found["range"]["start"]["line"] == 3
    overrides.write_text(text)
    client.notify("workspace/didChangeWatchedFiles", {"changes": [{"uri": overrides.as_uri(), "type": 2}]})
    assert client.diagnostics(overrides.as_uri()) == []


def test_a_failing_handler_is_logged_and_answered_as_an_error() -> None:
    class Broken:
        logged: list[str] = []

        def at(self, *args: object) -> None:
            raise RuntimeError("boom")

        def log_error(self, what: str) -> None:
            self.logged.append(what)

    broken = Broken()
    with pytest.raises(RuntimeError):  # pygls turns it into an error response
        lspserver.definition(broken, SimpleNamespace(text_document=None, position=None))  # type: ignore[arg-type]
    assert broken.logged == ["textDocument/definition"]


def test_corpus_doc_round_trip(tmp_path: Path) -> None:
    docs = corpus_docs("orq-python-3.4.0")
    (tmp_path / "pyproject.toml").write_text(f'[tool.md2models]\nspecs = "{docs}"\n')
    client = LspClient(tmp_path)
    try:
        client.initialize(tmp_path)
        body = docs / "models" / "getsessionresponsebody.md"
        uri = client.open(body)
        assert client.diagnostics(uri) == []
        row = line_of(body, "`billing`")
        character = body.read_text().split("\n")[row].index("GetSessionBilling")
        [target] = result(client.at("textDocument/definition", uri, row, character))
        assert target["uri"] == (docs / "models" / "getsessionbilling.md").as_uri()
        hover = result(client.at("textDocument/hover", uri, row, 2))["contents"]["value"]
        assert "billing: GetSessionBilling" in hover
    finally:
        assert client.stop() == 0


def test_save_publishes_at_once(shop: tuple[LspClient, Path]) -> None:
    client, root = shop
    kind = doc(root, "components/petkind.md")
    uri = client.open(kind)
    client.settle()
    text = kind.read_text()
    client.change(uri, text.replace('- `"cat"`', '- cat'), 40)
    client.notify("textDocument/didSave", {"textDocument": {"uri": uri}})
    [found] = client.diagnostics(uri, timeout=5)
    assert found["code"] == "enum-value" and found["severity"] == 1
    client.change(uri, text, 41)
    assert client.diagnostics(uri) == []


def test_a_folder_without_specs_is_reported_and_served(tmp_path: Path) -> None:
    client = LspClient(tmp_path)
    try:
        client.initialize(tmp_path)
        shown = client.wait_for("window/showMessage")
        assert shown["type"] == 1 and "spec folder" in shown["message"]
        assert result(client.at("textDocument/hover", (tmp_path / "x.md").as_uri(), 0, 0)) is None
    finally:
        assert client.stop() == 0


FUZZ_EXAMPLES = int(os.environ.get("MD2MODELS_LSP_EXAMPLES", "6"))
REQUESTS = ["textDocument/definition", "textDocument/hover", "textDocument/completion", "textDocument/references"]


def fuzz_over_stdio(client: LspClient, root: Path, data: st.DataObject) -> None:
    """A random edit of a doc, then every request at a random position: no error response, no error logged."""
    path = data.draw(st.sampled_from(sorted((root / "spec").rglob("*.md"))))
    uri = client.open(path)
    text = mutate(path.read_text(), data.draw(st.lists(MUTATIONS, max_size=4)))
    client.change(uri, text, 2)
    lines = text.split("\n")
    line = data.draw(st.integers(0, len(lines) - 1))
    character = data.draw(st.integers(0, len(lines[line].encode("utf-16-le", "surrogatepass")) // 2))
    for method in REQUESTS:
        extra = {"context": {"includeDeclaration": True}} if method == "textDocument/references" else {}
        result(client.at(method, uri, line, character, **extra))
    for method in ("textDocument/formatting", "textDocument/codeAction"):
        result(client.request(method, {"textDocument": {"uri": uri}, "options": {"tabSize": 4, "insertSpaces": True},
                                       "range": {"start": {"line": line, "character": 0},
                                                 "end": {"line": line, "character": 0}},
                                       "context": {"diagnostics": []}}))
    client.notify("textDocument/didSave", {"textDocument": {"uri": uri}})
    client.notify("textDocument/didClose", {"textDocument": {"uri": uri}})
    client.settle(0.2)
    assert not [n for n in client.notifications if n["method"] == "window/logMessage" and n["params"]["type"] == 1]


@settings(max_examples=FUZZ_EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck))
@given(data=st.data())
def test_no_edit_makes_the_server_fail(shop: tuple[LspClient, Path], data: st.DataObject) -> None:
    fuzz_over_stdio(*shop, data)


@pytest.mark.slow
@settings(max_examples=150, deadline=None, suppress_health_check=list(HealthCheck))
@given(data=st.data())
def test_no_edit_makes_the_server_fail_long(shop: tuple[LspClient, Path], data: st.DataObject) -> None:
    fuzz_over_stdio(*shop, data)
