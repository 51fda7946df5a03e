"""mkdocs.yml and docs/ are code: what a pull request may not make a build do (claimledger.checks.sitepolicy).

Each hole is reproduced with real files: ``claimledger check`` reports it with file, line, field and
hint, and ``claimledger build`` refuses before any engine reads the configuration, so that nothing
runs, nothing is published and the previous site stays as it was.
"""

from __future__ import annotations

import contextlib
import io
import re
import subprocess
import sys
from pathlib import Path

import pytest

from claimledger.checks.sitepolicy import DOCUMENTED_ENV, check_site
from claimledger.cli import main
from claimledger.findings import Finding, Severity
from claimledger.rules import RULES

from .conftest import REPO
from .gitrepo import git, init
from .sitebuild import build, build_in_subprocess

SECRET = "a secret kept outside the repository"
PREVIOUS = "<p>the previous site</p>\n"


@pytest.fixture
def secret(tmp_path: Path) -> Path:
    """A file outside the repository that must never be read or published."""
    path = tmp_path / "secret.txt"
    path.write_text(SECRET + "\n", encoding="utf-8")
    return path


@pytest.fixture
def site(tmp_path: Path) -> Path:
    """A site an earlier build left (marked as claimledger's, so that a build may replace it)."""
    folder = tmp_path / "site"
    folder.mkdir()
    (folder / ".claimledger-site").write_text("built by claimledger build\n", encoding="utf-8")
    (folder / "index.html").write_text(PREVIOUS, encoding="utf-8")
    return folder


def _config(root: Path, extra: str = "", *, plugin_options: str = "") -> None:
    """The fixture's mkdocs.yml with ``extra`` appended and the claimledger plugin given options."""
    config = root / "mkdocs.yml"
    text = config.read_text(encoding="utf-8")
    if plugin_options:
        text = text.replace("  - claimledger\n", "  - claimledger:\n" + plugin_options)
    config.write_text(text + extra, encoding="utf-8")


def _theme_folder(root: Path, folder: str) -> None:
    """The fixture's mkdocs.yml with the theme's ``custom_dir`` set."""
    config = root / "mkdocs.yml"
    text = config.read_text(encoding="utf-8").replace("  font: false\n", f"  font: false\n  custom_dir: {folder}\n")
    config.write_text(text, encoding="utf-8")


def _errors(root: Path, config: Path | None = None) -> list[Finding]:
    return [f for f in check_site(root, config) if f.severity is Severity.ERROR]


def _only(root: Path, rule: str) -> Finding:
    [finding] = [f for f in _errors(root) if f.rule == rule]
    return finding


def _check(root: Path, *args: str) -> tuple[int, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(["check", "--root", str(root), *args])
    return code, out.getvalue() + err.getvalue()


def _published(site: Path) -> str:
    return "\n".join(p.read_text(encoding="utf-8", errors="replace") for p in site.rglob("*") if p.is_file())


def _refused(root: Path, site: Path, *args: str, env: dict[str, str] | None = None) -> str:
    """Build, expecting a refusal that left the previous site as it was; what the build printed."""
    result = build(root, site, *args, env=env)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "not built; the previous site is untouched" in result.stderr
    assert sorted(p.name for p in site.iterdir()) == [".claimledger-site", "index.html"]
    assert (site / "index.html").read_text(encoding="utf-8") == PREVIOUS
    return result.stdout + result.stderr


# -- what the shipped projects hold passes ------------------------------------------------------------


def test_the_shipped_site_the_fixture_and_a_new_project_pass(tmp_path: Path) -> None:
    assert check_site(REPO) == []
    assert check_site(REPO / "tests" / "fixtures" / "minimal") == []
    assert main(["init", str(tmp_path / "new"), "--title", "New claims"]) == 0
    assert check_site(tmp_path / "new") == []


def test_every_rule_of_the_site_policy_is_explained_and_documented() -> None:
    reference = (REPO / "docs" / "reference.md").read_text(encoding="utf-8")
    for rule in ("config-tag", "config-code", "config-inherit", "config-files", "config-remote", "config-allow"):
        assert rule in RULES and f"`{rule}`" in reference, rule
    assert "docs-file" in RULES and "`docs-file`" in reference


def test_the_variables_env_may_read_are_those_the_reference_documents() -> None:
    reference = (REPO / "docs" / "reference.md").read_text(encoding="utf-8")
    assert set(re.findall(r"CLAIMLEDGER_[A-Z_]+", reference)) == DOCUMENTED_ENV


# -- YAML tags ------------------------------------------------------------------------------------------


def test_a_python_tag_is_an_error_and_never_runs(minimal_project: Path, site: Path) -> None:
    marker = minimal_project / "ran"
    _config(minimal_project, f'extra:\n  boom: !!python/object/apply:os.system ["touch {marker}"]\n')

    finding = _only(minimal_project, "config-tag")
    assert (finding.path, finding.line, finding.column, finding.field) == ("mkdocs.yml", 28, 9, "extra.boom")
    assert "run Python" in finding.message and finding.hint
    assert _check(minimal_project)[0] == 1

    said = _refused(minimal_project, site)
    assert "mkdocs.yml:28:9: error: the tag !!python/object/apply:os.system" in said
    assert not marker.exists()


@pytest.mark.parametrize("engine", ["zensical", "properdocs"])
def test_no_engine_reads_a_configuration_with_a_python_tag(minimal_project: Path, tmp_path: Path, engine: str) -> None:
    marker = minimal_project / "ran"
    _config(minimal_project, f'extra:\n  boom: !!python/object/apply:os.system ["touch {marker}"]\n')
    result = build_in_subprocess(minimal_project, tmp_path / "site", "--engine", engine)
    assert result.returncode == 1
    assert "[config-tag]" in result.stdout
    assert not marker.exists() and not (tmp_path / "site").exists()


def test_env_with_an_undocumented_variable_is_an_error_and_never_published(minimal_project: Path, site: Path) -> None:
    text = (minimal_project / "mkdocs.yml").read_text(encoding="utf-8")
    (minimal_project / "mkdocs.yml").write_text(
        text.replace("site_name: Widget claims", "site_name: !ENV [ANY_VARIABLE]"), encoding="utf-8"
    )

    finding = _only(minimal_project, "config-tag")
    assert (finding.line, finding.field) == (1, "site_name")
    assert "ANY_VARIABLE" in finding.message and "CLAIMLEDGER_SITE_URL" in finding.hint

    _refused(minimal_project, site, env={"ANY_VARIABLE": SECRET})
    assert SECRET not in _published(site)


def test_env_with_a_documented_variable_or_one_the_maintainer_allows_passes(minimal_project: Path) -> None:
    _config(
        minimal_project,
        "copyright: !ENV [CLAIMLEDGER_REPO_URL, SITE_AUTHOR, nobody]\n",
        plugin_options="      allow:\n        env: [SITE_AUTHOR]\n",
    )
    assert _errors(minimal_project) == []


def test_an_unknown_tag_is_an_error(minimal_project: Path) -> None:
    _config(minimal_project, "extra:\n  x: !custom thing\n")
    assert (_only(minimal_project, "config-tag").field, _only(minimal_project, "config-tag").line) == ("extra.x", 28)


def test_a_python_name_tag_passes_only_when_the_maintainer_names_it(minimal_project: Path) -> None:
    emoji = "!!python/name:material.extensions.emoji.twemoji"
    extension = f"markdown_extensions:\n  - pymdownx.emoji:\n      emoji_index: {emoji}\n"
    _config(minimal_project, extension)
    finding = _only(minimal_project, "config-tag")
    assert finding.field == "markdown_extensions[0].pymdownx.emoji.emoji_index"
    assert "python_names" in finding.hint
    _config(minimal_project, plugin_options="      allow:\n        python_names: [material.extensions.emoji.twemoji]\n")
    assert _errors(minimal_project) == []


# -- code: hooks, plugins, markdown extensions ------------------------------------------------------------


HOOK = "import pathlib\npathlib.Path(__file__).with_name('ran').write_text('hook')\n"


def test_a_hook_is_an_error_and_never_runs(minimal_project: Path, site: Path) -> None:
    (minimal_project / "x.py").write_text(HOOK, encoding="utf-8")
    _config(minimal_project, "hooks:\n  - x.py\n")

    finding = _only(minimal_project, "config-code")
    assert (finding.path, finding.line, finding.field) == ("mkdocs.yml", 28, "hooks[0]")
    assert "allow: {hooks: […]}" in finding.hint

    said = _refused(minimal_project, site)
    assert "mkdocs.yml:28:5: error: the hook x.py is Python" in said
    assert not (minimal_project / "ran").exists()


def test_a_hook_the_maintainer_allows_runs(minimal_project: Path, tmp_path: Path) -> None:
    (minimal_project / "x.py").write_text(HOOK, encoding="utf-8")
    _config(minimal_project, "hooks:\n  - x.py\n", plugin_options="      allow:\n        hooks: [x.py]\n")
    assert _errors(minimal_project) == []
    result = build(minimal_project, tmp_path / "built")
    assert result.returncode == 0, result.stderr
    assert (minimal_project / "ran").read_text() == "hook"


def test_an_allowed_hook_outside_the_repository_is_refused_all_the_same(minimal_project: Path, tmp_path: Path) -> None:
    (tmp_path / "x.py").write_text(HOOK, encoding="utf-8")
    _config(minimal_project, "hooks:\n  - ../x.py\n", plugin_options="      allow:\n        hooks: [../x.py]\n")
    finding = _only(minimal_project, "config-files")
    assert (finding.field, "outside the repository") == ("hooks[0]", "outside the repository")


def test_a_plugin_outside_the_known_ones_is_an_error_unless_allowed(minimal_project: Path) -> None:
    text = (minimal_project / "mkdocs.yml").read_text(encoding="utf-8")
    (minimal_project / "mkdocs.yml").write_text(text.replace("  - search\n", "  - search\n  - macros\n"))
    finding = _only(minimal_project, "config-code")
    assert (finding.line, finding.field) == (10, "plugins[1]")
    assert "macros" in finding.message
    _config(minimal_project, plugin_options="      allow:\n        plugins: [macros]\n")
    assert _errors(minimal_project) == []


def test_a_markdown_extension_outside_the_known_ones_is_an_error_unless_allowed(minimal_project: Path) -> None:
    _config(minimal_project, "markdown_extensions:\n  - toc\n  - admonition\n  - markdown_include.include\n")
    finding = _only(minimal_project, "config-code")
    assert (finding.line, finding.field) == (30, "markdown_extensions[2]")
    _config(minimal_project, plugin_options="      allow:\n        markdown_extensions: [markdown_include.include]\n")
    assert _errors(minimal_project) == []


# -- files from outside the repository --------------------------------------------------------------------


def test_a_theme_file_linked_outside_the_repository_is_an_error_and_never_published(
    minimal_project: Path, site: Path
) -> None:
    (minimal_project / "overrides").mkdir()
    (minimal_project / "overrides" / "env.txt").symlink_to("/proc/self/environ")
    _theme_folder(minimal_project, "overrides")

    finding = _only(minimal_project, "unsafe-path")
    assert (finding.path, finding.line) == ("overrides/env.txt", 1)

    _refused(minimal_project, site)


def test_a_theme_folder_outside_the_repository_is_an_error(minimal_project: Path, tmp_path: Path, site: Path) -> None:
    outside = tmp_path / "theme"
    outside.mkdir()
    (outside / "leak.txt").write_text(SECRET, encoding="utf-8")
    _theme_folder(minimal_project, str(outside))

    finding = _only(minimal_project, "config-files")
    assert (finding.line, finding.field) == (8, "theme.custom_dir")
    assert "outside the repository" in finding.message

    _refused(minimal_project, site)
    assert SECRET not in _published(site)


def test_a_theme_folder_reached_through_a_link_is_an_error(minimal_project: Path) -> None:
    (minimal_project / "theme").mkdir()
    (minimal_project / "overrides").symlink_to("theme", target_is_directory=True)
    _theme_folder(minimal_project, "overrides")
    assert "reached through a link" in _only(minimal_project, "config-files").message


def test_the_plugin_publishes_no_theme_file_linked_outside_whatever_was_checked_before(
    minimal_project: Path, tmp_path: Path, secret: Path
) -> None:
    """``mkdocs build`` on its own: MkDocs' walk of the theme folder follows every link."""
    from mkdocs.commands.build import get_files
    from mkdocs.config import load_config
    from mkdocs.exceptions import PluginError

    from claimledger.engines.mkdocs.plugin import ClaimledgerPlugin

    (minimal_project / "overrides").mkdir()
    _theme_folder(minimal_project, "overrides")
    config = load_config(config_file=str(minimal_project / "mkdocs.yml"), site_dir=str(tmp_path / "out"))
    (minimal_project / "overrides" / "env.txt").symlink_to(secret)  # appears after the check
    files = get_files(config)
    files.add_files_from_theme(config.theme.get_env(), config)
    plugin = ClaimledgerPlugin()
    plugin.root = minimal_project.resolve()
    with pytest.raises(PluginError, match=r"overrides/env\.txt:1:1: error: this link points outside the repository"):
        plugin.on_files(files, config)


# -- links out of docs/ and the theme folder, inside the repository ------------------------------------------


def _kept_in_the_repository(root: Path) -> None:
    """The secret where a pull request's link could reach it without leaving the repository: in git's
    records (.git/config) and in a folder beside docs/."""
    init(root)
    git(root, "config", "claimledger.secret", SECRET)
    (root / "private").mkdir()
    (root / "private" / "notes.md").write_text(f"# Notes\n\n{SECRET}\n", encoding="utf-8")


def _refused_by(engine: str, root: Path, site: Path) -> str:
    """Build with ``engine``, expecting a refusal that left the previous site as it was and put the
    secret nowhere in it; what the build printed."""
    if engine == "mkdocs":
        said = _refused(root, site)
    else:  # an engine that must be the first to load in its process
        result = build_in_subprocess(root, site, "--engine", engine)
        said = result.stdout + result.stderr
        assert result.returncode == 1, said
        assert "not built; the previous site is untouched" in said
        assert sorted(p.name for p in site.iterdir()) == [".claimledger-site", "index.html"]
        assert (site / "index.html").read_text(encoding="utf-8") == PREVIOUS
    assert SECRET not in _published(site)
    return said


LINKS_OUT_OF_DOCS = [
    ("docs/x.css", "../.git/config", ".git/config"),
    ("docs/page.md", "../private/notes.md", "private/notes.md"),
    ("docs/more", "../private", "private"),
    ("docs/css/site.css", "../../.git/config", ".git/config"),
]


@pytest.mark.parametrize("engine", ["mkdocs", "zensical", "properdocs"])
@pytest.mark.parametrize(("link", "target", "real"), LINKS_OUT_OF_DOCS)
def test_a_docs_link_out_of_docs_inside_the_repository_is_an_error_and_never_published(
    minimal_project: Path, site: Path, engine: str, link: str, target: str, real: str
) -> None:
    _kept_in_the_repository(minimal_project)
    (minimal_project / link).parent.mkdir(exist_ok=True)
    (minimal_project / link).symlink_to(target)

    finding = _only(minimal_project, "unsafe-path")
    assert (finding.path, finding.line, finding.field) == (link, 1, "(file name)")
    if real.startswith(".git"):
        assert f"leads into git's own records, to {real}" in finding.message
    else:
        assert f"leads out of docs/, to {real}" in finding.message
        assert "put a copy of the file itself in docs/" in finding.hint
    assert _check(minimal_project)[0] == 1

    said = _refused_by(engine, minimal_project, site)
    assert f"{link}:1:1: error: this link leads" in said


def test_a_docs_link_to_a_file_in_docs_passes(minimal_project: Path) -> None:
    (minimal_project / "docs" / "images").mkdir()
    (minimal_project / "docs" / "images" / "chart.png").write_bytes(b"\x89PNG")
    (minimal_project / "docs" / "chart.png").symlink_to("images/chart.png")
    (minimal_project / "docs" / "pictures").symlink_to("images", target_is_directory=True)
    assert _errors(minimal_project) == []


@pytest.mark.parametrize("engine", ["mkdocs", "zensical", "properdocs"])
@pytest.mark.parametrize(("name", "target"), [("main.html", "../.git/config"), ("notes.txt", "../private/notes.md")])
def test_a_theme_file_linked_out_of_the_theme_folder_is_an_error_and_never_published(
    minimal_project: Path, site: Path, engine: str, name: str, target: str
) -> None:
    _kept_in_the_repository(minimal_project)
    (minimal_project / "overrides").mkdir()
    (minimal_project / "overrides" / name).symlink_to(target)
    _theme_folder(minimal_project, "overrides")

    finding = _only(minimal_project, "unsafe-path")
    assert (finding.path, finding.line, finding.field) == (f"overrides/{name}", 1, "(file name)")

    said = _refused_by(engine, minimal_project, site)
    assert f"overrides/{name}:1:1: error: this link leads" in said


def test_the_plugin_publishes_no_docs_file_linked_out_of_docs_whatever_was_checked_before(
    minimal_project: Path, tmp_path: Path
) -> None:
    """``mkdocs build`` on its own: MkDocs' walk of the docs folder follows every link."""
    from mkdocs.commands.build import get_files
    from mkdocs.config import load_config
    from mkdocs.exceptions import PluginError

    from claimledger.engines.mkdocs.plugin import ClaimledgerPlugin

    _kept_in_the_repository(minimal_project)
    config = load_config(config_file=str(minimal_project / "mkdocs.yml"), site_dir=str(tmp_path / "out"))
    (minimal_project / "docs" / "notes.md").symlink_to("../private/notes.md")  # appears after the check
    plugin = ClaimledgerPlugin()
    plugin.root = minimal_project.resolve()
    with pytest.raises(PluginError, match=r"docs/notes\.md:1:1: error: this link leads out of docs/"):
        plugin.on_files(get_files(config), config)


SNIPPETS = "markdown_extensions:\n  - pymdownx.snippets:\n      base_path: ['/']\n      restrict_base_path: false\n"


def test_snippets_from_outside_docs_are_an_error_and_never_published(
    minimal_project: Path, site: Path, secret: Path
) -> None:
    _config(minimal_project, SNIPPETS)
    (minimal_project / "docs" / "index.md").write_text(f'# Home\n\n--8<-- "{secret}"\n', encoding="utf-8")

    found = {(f.line, f.field) for f in _errors(minimal_project) if f.rule == "config-files"}
    assert found == {
        (29, "markdown_extensions[0].pymdownx.snippets.base_path"),
        (30, "markdown_extensions[0].pymdownx.snippets.restrict_base_path"),
    }

    _refused(minimal_project, site)
    assert SECRET not in _published(site)


def test_snippets_read_by_default_from_the_whole_repository_are_an_error(minimal_project: Path) -> None:
    _config(minimal_project, "markdown_extensions:\n  - pymdownx.snippets\n")
    assert _only(minimal_project, "config-files").field == "markdown_extensions[0].pymdownx.snippets.base_path"


@pytest.mark.parametrize("base", ["[docs/snippets]", "docs", "!relative $docs_dir"])
def test_snippets_from_a_folder_under_docs_pass(minimal_project: Path, base: str) -> None:
    (minimal_project / "docs" / "snippets").mkdir()
    _config(minimal_project, f"markdown_extensions:\n  - pymdownx.snippets:\n      base_path: {base}\n")
    assert _errors(minimal_project) == []


def test_inherit_is_an_error_unless_allowed_and_never_from_outside(minimal_project: Path, tmp_path: Path) -> None:
    (tmp_path / "base.yml").write_text("hooks: [evil.py]\n", encoding="utf-8")
    _config(minimal_project, "INHERIT: ../base.yml\n")
    finding = _only(minimal_project, "config-inherit")
    assert (finding.line, finding.field) == (27, "INHERIT")

    _config(minimal_project, plugin_options="      allow:\n        inherit: [../base.yml]\n")
    assert "outside the repository" in _only(minimal_project, "config-files").message


def test_an_allowed_inherited_file_is_checked_as_the_configuration_is(minimal_project: Path) -> None:
    (minimal_project / "base.yml").write_text("hooks:\n  - x.py\n", encoding="utf-8")
    _config(minimal_project, "INHERIT: base.yml\n", plugin_options="      allow:\n        inherit: [base.yml]\n")
    finding = _only(minimal_project, "config-code")
    assert (finding.path, finding.line, finding.field) == ("base.yml", 2, "hooks[0]")


def test_a_docs_folder_outside_the_repository_is_an_error(minimal_project: Path, tmp_path: Path) -> None:
    (tmp_path / "pages").mkdir()
    _config(minimal_project, f"docs_dir: {tmp_path / 'pages'}\n")
    assert _only(minimal_project, "config-files").field == "docs_dir"


# -- scripts and styles from another host ------------------------------------------------------------------


def test_scripts_and_styles_from_another_host_are_errors(minimal_project: Path, site: Path) -> None:
    _config(
        minimal_project,
        "extra_javascript:\n  - https://evil.example/x.js\n  - path: //evil.example/y.js\n    type: module\n"
        "  - js/local.js\n"
        "extra_css:\n  - HTTP:evil.example/x.css\n",
    )
    found = {(f.line, f.field) for f in _errors(minimal_project) if f.rule == "config-remote"}
    assert found == {(28, "extra_javascript[0]"), (29, "extra_javascript[1]"), (33, "extra_css[0]")}

    said = _refused(minimal_project, site)
    assert "https://evil.example/x.js comes from another host" in said


def test_a_script_from_another_host_passes_when_the_maintainer_names_it(minimal_project: Path) -> None:
    _config(
        minimal_project,
        "extra_javascript:\n  - https://cdn.example.org/x.js\n",
        plugin_options="      allow:\n        remote: [https://cdn.example.org/x.js]\n",
    )
    assert _errors(minimal_project) == []


ANALYTICS = "extra:\n  analytics:\n    provider: google\n    property: G-XXXXXXXXXX\n"


def test_material_analytics_is_an_error_unless_allowed_and_the_build_refuses_it(
    minimal_project: Path, site: Path
) -> None:
    _config(minimal_project, ANALYTICS)

    finding = _only(minimal_project, "config-remote")
    assert (finding.path, finding.line, finding.column, finding.field) == ("mkdocs.yml", 28, 3, "extra.analytics")
    assert "google" in finding.message and "another host" in finding.message
    assert "allow: {remote: […]}" in finding.hint and "extra.analytics" in finding.hint

    said = _refused(minimal_project, site)
    assert "mkdocs.yml:28:3: error: Material's analytics (google) loads a script from another host" in said
    assert "googletagmanager" not in _published(site)

    _config(minimal_project, plugin_options="      allow:\n        remote: [extra.analytics]\n")
    assert _errors(minimal_project) == []


@pytest.mark.parametrize(
    "extra",
    [
        "extra:\n  consent:\n    title: Cookie consent\n    description: We ask first.\n",
        "extra:\n  analytics: {}\n",
        "extra:\n  analytics:\n    provider: null\n",
        "extra:\n  social:\n    - icon: fontawesome/brands/github\n      link: https://github.com/example\n",
    ],
)
def test_material_settings_that_load_nothing_from_elsewhere_pass(minimal_project: Path, extra: str) -> None:
    _config(minimal_project, extra)
    assert _errors(minimal_project) == []


def test_google_fonts_are_an_error_unless_font_is_false_or_allowed(minimal_project: Path, site: Path) -> None:
    config = minimal_project / "mkdocs.yml"
    config.write_text(config.read_text(encoding="utf-8").replace("  font: false\n", ""), encoding="utf-8")

    finding = _only(minimal_project, "config-remote")
    assert (finding.line, finding.field) == (6, "theme.font")
    assert "fonts.googleapis.com" in finding.message and "`font: false`" in finding.hint

    _refused(minimal_project, site)
    assert "fonts.googleapis" not in _published(site)

    config.write_text(
        config.read_text(encoding="utf-8").replace("  name: material\n", "  name: material\n  font:\n    text: Lato\n"),
        encoding="utf-8",
    )
    assert _only(minimal_project, "config-remote").line == 7  # the font named
    _config(minimal_project, plugin_options="      allow:\n        remote: [theme.font]\n")
    assert _errors(minimal_project) == []


@pytest.mark.parametrize(
    ("extra", "line", "field"),
    [
        ("extra:\n  polyfills:\n    - https://evil.example/p.js\n", 29, "extra.polyfills[0]"),
        ("theme:\n  name: material\n  font: false\n  logo: https://tracker.example/l.png\n", 30, "theme.logo"),
        ("theme:\n  name: material\n  font: false\n  favicon: //tracker.example/f.ico\n", 30, "theme.favicon"),
    ],
)
def test_material_scripts_and_images_from_another_host_are_errors(
    minimal_project: Path, site: Path, extra: str, line: int, field: str
) -> None:
    config = minimal_project / "mkdocs.yml"
    if extra.startswith("theme:"):  # in place of the fixture's theme
        text = config.read_text(encoding="utf-8").replace("theme:\n  name: material\n  font: false\n", "")
        config.write_text(text, encoding="utf-8")
        line -= 3
    _config(minimal_project, extra)
    finding = _only(minimal_project, "config-remote")
    assert (finding.line, finding.field) == (line, field)
    assert "comes from another host" in finding.message
    _refused(minimal_project, site)


MERMAID = (
    "markdown_extensions:\n  - pymdownx.superfences:\n      custom_fences:\n        - name: mermaid\n"
    "          class: mermaid\n          format: !!python/name:pymdownx.superfences.fence_code_format\n"
)


def test_a_mermaid_fence_is_an_error_unless_allowed(minimal_project: Path, site: Path) -> None:
    allow = "      allow:\n        python_names: [pymdownx.superfences.fence_code_format]\n"
    _config(minimal_project, MERMAID, plugin_options=allow)
    finding = _only(minimal_project, "config-remote")
    assert (finding.line, finding.field) == (33, "markdown_extensions[0].pymdownx.superfences.custom_fences[0].class")
    assert "unpkg.com" in finding.message
    _refused(minimal_project, site)
    config = minimal_project / "mkdocs.yml"
    config.write_text(
        config.read_text(encoding="utf-8").replace(allow, allow + "        remote: [mermaid]\n"), encoding="utf-8"
    )
    assert _errors(minimal_project) == []


# -- docs/ -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("x.html", "<script>alert(document.cookie)</script>"),
        ("x.svg", '<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'),
        ("x.js", "alert(1)"),
        ("x.xml", '<html xmlns="http://www.w3.org/1999/xhtml"><script>alert(1)</script></html>'),
    ],
)
def test_a_file_a_browser_runs_under_docs_is_an_error_and_never_published(
    minimal_project: Path, site: Path, name: str, content: str
) -> None:
    (minimal_project / "docs" / name).write_text(content, encoding="utf-8")

    finding = _only(minimal_project, "docs-file")
    assert (finding.path, finding.line, finding.field) == (f"docs/{name}", 1, "(file name)")
    assert f"allow: {{docs: [docs/{name}]}}" in finding.hint

    _refused(minimal_project, site)
    assert not (site / name).exists()


def test_a_file_the_maintainer_allows_under_docs_is_published(minimal_project: Path, tmp_path: Path) -> None:
    (minimal_project / "docs" / "diagram.svg").write_text('<svg xmlns="http://www.w3.org/2000/svg"/>', encoding="utf-8")
    _config(minimal_project, plugin_options="      allow:\n        docs: [docs/diagram.svg]\n")
    assert _errors(minimal_project) == []
    assert build(minimal_project, tmp_path / "built").returncode == 0
    assert (tmp_path / "built" / "diagram.svg").is_file()


def test_images_fonts_and_plain_css_under_docs_pass(minimal_project: Path) -> None:
    for name in ("images/chart.png", "images/photo.JPG", "fonts/body.woff2", "css/site.css"):
        (minimal_project / "docs" / name).parent.mkdir(exist_ok=True)
        (minimal_project / "docs" / name).write_bytes(b"a{background:url(../images/chart.png)}")
    assert _errors(minimal_project) == []


@pytest.mark.parametrize(
    "css",
    [
        "body { background: url(https://tracker.example/p.png) }",
        "body { background: url( '//tracker.example/p.png' ) }",
        "body { background: u\\72l(//tracker.example/p.png) }",
        "body { background-image: image-set('http:tracker.example/p.png' 1x) }",
        '@import "more.css";',
    ],
)
def test_a_stylesheet_under_docs_that_fetches_from_elsewhere_is_an_error(minimal_project: Path, css: str) -> None:
    (minimal_project / "docs" / "site.css").write_text(f"/* the site's style */\n{css}\n", encoding="utf-8")
    finding = _only(minimal_project, "docs-file")
    assert (finding.path, finding.line) == ("docs/site.css", 2)


# -- the allowlist, check --changed, and bad input -----------------------------------------------------------


def test_an_allowlist_that_is_no_mapping_of_lists_is_an_error(minimal_project: Path) -> None:
    _config(minimal_project, plugin_options="      allow:\n        hooks: x.py\n        everything: [yes]\n")
    found = {(f.line, f.field) for f in _errors(minimal_project) if f.rule == "config-allow"}
    assert found == {(12, "plugins.claimledger.allow.hooks"), (13, "plugins.claimledger.allow.everything")}


def test_check_changed_reports_a_hook_added_to_mkdocs_yml(minimal_project: Path) -> None:
    init(minimal_project)
    git(minimal_project, "checkout", "-q", "-b", "feature")
    _config(minimal_project, "hooks:\n  - x.py\n")
    git(minimal_project, "commit", "-q", "-am", "Add a hook")

    code, said = _check(minimal_project, "--changed", "main")

    assert code == 1
    assert "mkdocs.yml:28:5: error: the hook x.py is Python that MkDocs runs" in said


@pytest.mark.parametrize(
    ("text", "rule"),
    [
        (b"site_name: [unclosed\n", "yaml-syntax"),
        (b"x: " + b"[" * 5000 + b"]" * 5000 + b"\n", "yaml-syntax"),
        (b"site_name: Claims\n---\nsite_name: Again\n", "yaml-syntax"),
        (b"\xff\xfe not UTF-8\n", "encoding"),
        (b"site_name: \x00\n", "yaml-syntax"),
        (
            b"a: &a [x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a]\nc: [*b, *b, *b, *b, *b, *b]\n",
            None,
        ),
        (b"- a list, not a mapping\n", None),
    ],
)
def test_a_broken_configuration_is_a_finding_never_a_traceback(
    minimal_project: Path, tmp_path: Path, text: bytes, rule: str | None
) -> None:
    (minimal_project / "mkdocs.yml").write_bytes(text)
    assert {f.rule for f in check_site(minimal_project)} == ({rule} if rule else set())
    said = _check(minimal_project)[1]
    assert "Traceback" not in said
    result = build(minimal_project, tmp_path / "site")
    assert result.returncode == 1 and "Traceback" not in result.stdout + result.stderr


def test_mkdocs_run_on_its_own_refuses_what_the_policy_refuses(minimal_project: Path, tmp_path: Path) -> None:
    """MkDocs has read the file by then (so claimledger build is what publishes), but it builds nothing."""
    _config(minimal_project, "extra_javascript:\n  - https://evil.example/x.js\n")
    result = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(tmp_path / "alone")],
        cwd=minimal_project,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 1
    assert "[config-remote]" in result.stderr
    assert not (tmp_path / "alone").exists()


@pytest.mark.parametrize(
    "trick",
    [
        "hooks: []\nhooks:\n  - x.py\n",  # MkDocs keeps the last
        "<<: {hooks: [x.py]}\n",  # a merge key hides a setting in another mapping
    ],
)
def test_a_setting_hidden_from_a_reader_of_the_first_key_is_an_error(minimal_project: Path, trick: str) -> None:
    _config(minimal_project, trick)
    assert {f.rule for f in _errors(minimal_project)} & {"config-code", "config-tag", "yaml-duplicate-key"}
    assert _check(minimal_project)[0] == 1


def test_a_configuration_given_through_a_linked_folder_is_read_as_it_really_is(
    minimal_project: Path, tmp_path: Path
) -> None:
    (tmp_path / "via").symlink_to(minimal_project, target_is_directory=True)
    _theme_folder(minimal_project, "overrides")
    _config(minimal_project, plugin_options="      allow:\n        custom_dir: [overrides]\n")
    (minimal_project / "overrides").mkdir()
    assert check_site(minimal_project, tmp_path / "via" / "mkdocs.yml") == []


# -- tagged values in what the policy reads as a path, an address, a name or a flag ---------------------------


def _outside_theme(tmp_path: Path, secret: Path) -> Path:
    """A theme folder outside the repository, a link in it to the secret (as one to /proc/self/environ)."""
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "env.txt").symlink_to(secret)
    (outside / "x.js").write_text("alert(1)\n", encoding="utf-8")
    return outside


@pytest.mark.parametrize("engine", ["mkdocs", "zensical", "properdocs"])
@pytest.mark.parametrize("tagged", ["!ENV [CLAIMLEDGER_REPO_URL, {outside}]", "!relative $config_dir/../outside"])
def test_a_theme_folder_given_by_a_tag_is_judged_and_never_published(
    minimal_project: Path,
    tmp_path: Path,
    site: Path,
    secret: Path,
    monkeypatch: pytest.MonkeyPatch,
    engine: str,
    tagged: str,
) -> None:
    monkeypatch.delenv("CLAIMLEDGER_REPO_URL", raising=False)  # as in a pull request's build: the default is used
    outside = _outside_theme(tmp_path, secret)
    _theme_folder(minimal_project, tagged.format(outside=outside))

    finding = _only(minimal_project, "config-files")
    assert (finding.line, finding.field) == (8, "theme.custom_dir")
    assert ("!ENV" if "ENV" in tagged else "outside the repository") in finding.message
    assert _check(minimal_project)[0] == 1

    said = _refused_by(engine, minimal_project, site)
    assert "mkdocs.yml:8:" in said and "the theme folder" in said
    assert not (site / "env.txt").exists() and not (site / "x.js").exists()


def test_a_script_from_another_host_given_by_env_is_an_error_and_never_published(
    minimal_project: Path, site: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("CLAIMLEDGER_SITE_URL", raising=False)
    _config(minimal_project, 'extra_javascript:\n  - !ENV [CLAIMLEDGER_SITE_URL, "https://evil.example/x.js"]\n')

    finding = _only(minimal_project, "config-remote")
    assert (finding.line, finding.column, finding.field) == (28, 5, "extra_javascript[0]")
    assert "!ENV" in finding.message and "cannot see" in finding.message and finding.hint

    _refused(minimal_project, site)
    assert "evil.example" not in _published(site)


TAGGED = [
    # (what is appended to mkdocs.yml, the allowlist, the rule, the field)
    ("docs_dir: !ENV [CLAIMLEDGER_REPO_URL, docs]\n", "", "config-files", "docs_dir"),
    ("docs_dir: !relative $config_dir/../pages\n", "", "config-files", "docs_dir"),
    ("INHERIT: !ENV [CLAIMLEDGER_REPO_URL, base.yml]\n", "inherit: [base.yml]", "config-files", "INHERIT"),
    ("INHERIT: !relative $config_dir/../base.yml\n", "inherit: [../base.yml]", "config-files", "INHERIT"),
    ("hooks:\n  - ok.py\n  - !ENV [CLAIMLEDGER_REPO_URL, x.py]\n", "hooks: [ok.py, x.py]", "config-files", "hooks[1]"),
    ("hooks: !ENV [CLAIMLEDGER_REPO_URL, [x.py]]\n", "hooks: [x.py]", "config-code", "hooks"),
    ("hooks:\n  - !relative $config_dir/../x.py\n", "hooks: [../x.py]", "config-files", "hooks[0]"),
    (
        "extra_javascript: !ENV [CLAIMLEDGER_SITE_URL, [https://evil.example/x.js]]\n",
        "",
        "config-remote",
        "extra_javascript",
    ),
    ("extra_css:\n  - !ENV [CLAIMLEDGER_SITE_URL, //evil.example/x.css]\n", "", "config-remote", "extra_css[0]"),
    (
        "extra_javascript:\n  - path: !ENV [CLAIMLEDGER_SITE_URL, //evil.example/x.js]\n",
        "",
        "config-remote",
        "extra_javascript[0].path",
    ),
    ("extra_javascript:\n  - !relative $config_dir/x.js\n", "", "config-remote", "extra_javascript[0]"),
    (
        "extra:\n  polyfills:\n    - !ENV [CLAIMLEDGER_SITE_URL, https://evil.example/p.js]\n",
        "",
        "config-remote",
        "extra.polyfills[0]",
    ),
    ("extra: !ENV [CLAIMLEDGER_SITE_URL, {analytics: {provider: google}}]\n", "", "config-remote", "extra"),
    (
        "markdown_extensions:\n  - pymdownx.snippets:\n      base_path: !ENV [CLAIMLEDGER_SITE_URL, /]\n",
        "",
        "config-files",
        "markdown_extensions[0].pymdownx.snippets.base_path",
    ),
    (
        "markdown_extensions:\n  - pymdownx.snippets:\n      base_path: [docs, !relative $config_dir/..]\n",
        "",
        "config-files",
        "markdown_extensions[0].pymdownx.snippets.base_path",
    ),
    (
        "markdown_extensions:\n  - pymdownx.snippets:\n      base_path: docs\n"
        "      restrict_base_path: !ENV [CLAIMLEDGER_SITE_URL, false]\n",
        "",
        "config-files",
        "markdown_extensions[0].pymdownx.snippets.restrict_base_path",
    ),
    (
        "markdown_extensions:\n  - pymdownx.snippets: !ENV [CLAIMLEDGER_SITE_URL, {base_path: /}]\n",
        "",
        "config-files",
        "markdown_extensions[0].pymdownx.snippets",
    ),
    (
        "markdown_extensions:\n  - pymdownx.superfences:\n      custom_fences:\n        - name: m\n"
        "          class: !ENV [CLAIMLEDGER_SITE_URL, mermaid]\n",
        "",
        "config-remote",
        "markdown_extensions[0].pymdownx.superfences.custom_fences[0].class",
    ),
    (
        "markdown_extensions:\n  - toc\n  - !ENV [CLAIMLEDGER_SITE_URL, markdown_include.include]\n",
        "",
        "config-code",
        "markdown_extensions[1]",
    ),
    ("plugins: !ENV [CLAIMLEDGER_SITE_URL, [search, macros]]\n", "", "config-code", "plugins"),
    ("? !ENV [CLAIMLEDGER_SITE_URL, hooks]\n: [x.py]\n", "", "config-tag", "?"),
]


@pytest.mark.parametrize(("extra", "allow", "rule", "field"), TAGGED)
def test_a_tagged_value_the_policy_reads_is_judged_or_refused(
    minimal_project: Path, tmp_path: Path, extra: str, allow: str, rule: str, field: str
) -> None:
    """Every value a setting the policy reads can take: a `!relative` one as MkDocs resolves it, an
    `!ENV` one refused (its value would come from the build's environment, unseen here)."""
    (tmp_path / "pages").mkdir()
    (tmp_path / "base.yml").write_text("site_name: Elsewhere\n", encoding="utf-8")
    (minimal_project / "base.yml").write_text("site_name: Here\n", encoding="utf-8")
    for hook in ("ok.py", "x.py"):
        (minimal_project / hook).write_text(HOOK, encoding="utf-8")
    if extra.startswith("plugins:"):  # in place of the fixture's own
        config = minimal_project / "mkdocs.yml"
        config.write_text(config.read_text(encoding="utf-8").replace("plugins:\n  - search\n  - claimledger\n", ""))
    _config(minimal_project, extra, plugin_options=f"      allow:\n        {allow}\n" if allow else "")

    fields = {f.field for f in _errors(minimal_project) if f.rule == rule}
    assert field in fields, _errors(minimal_project)
    assert _check(minimal_project)[0] == 1


@pytest.mark.parametrize(
    "base", ["!relative $docs_dir/snippets", "!relative $config_dir/docs/snippets", "[!relative $docs_dir]"]
)
def test_snippets_from_a_folder_under_docs_named_by_relative_pass(minimal_project: Path, base: str) -> None:
    (minimal_project / "docs" / "snippets").mkdir()
    _config(minimal_project, f"markdown_extensions:\n  - pymdownx.snippets:\n      base_path: {base}\n")
    assert _errors(minimal_project) == []


def test_a_hook_named_by_relative_inside_the_repository_is_judged_by_its_path(minimal_project: Path) -> None:
    (minimal_project / "x.py").write_text(HOOK, encoding="utf-8")
    _config(minimal_project, "hooks:\n  - !relative $config_dir/x.py\n")
    assert _only(minimal_project, "config-code").message.startswith("the hook x.py is Python")
    _config(minimal_project, plugin_options="      allow:\n        hooks: [x.py]\n")
    assert _errors(minimal_project) == []


# -- the theme folder is code ----------------------------------------------------------------------------------


def _overrides(root: Path, marker: Path) -> None:
    """A theme folder in the repository whose template runs a command, and a script beside it."""
    (root / "overrides").mkdir()
    (root / "overrides" / "main.html").write_text(
        f'{{% extends "base.html" %}}\n{{{{ cycler.__init__.__globals__.os.system("touch {marker}") }}}}\n',
        encoding="utf-8",
    )
    (root / "overrides" / "x.js").write_text("alert(document.cookie)\n", encoding="utf-8")
    _theme_folder(root, "overrides")


@pytest.mark.parametrize("engine", ["mkdocs", "zensical", "properdocs"])
def test_a_theme_folder_in_the_repository_is_code_refused_unless_allowed(
    minimal_project: Path, site: Path, engine: str
) -> None:
    marker = minimal_project / "ran"
    _overrides(minimal_project, marker)

    finding = _only(minimal_project, "config-code")
    assert (finding.path, finding.line, finding.field) == ("mkdocs.yml", 8, "theme.custom_dir")
    assert "Jinja templates run Python" in finding.message
    assert "allow: {custom_dir: […]}" in finding.hint
    assert _check(minimal_project)[0] == 1

    said = _refused_by(engine, minimal_project, site)
    assert "mkdocs.yml:8:15: error: the theme folder overrides is code" in said
    assert not marker.exists() and not (site / "x.js").exists()


def test_an_allowed_theme_folder_publishes_no_file_a_browser_runs_unless_named(
    minimal_project: Path, site: Path, tmp_path: Path
) -> None:
    (minimal_project / "overrides" / "partials").mkdir(parents=True)
    (minimal_project / "overrides" / "partials" / "copyright.html").write_text("<p>Our footer</p>\n")
    (minimal_project / "overrides" / "x.js").write_text("alert(document.cookie)\n", encoding="utf-8")
    (minimal_project / "overrides" / "page.svg").write_text("<svg><script>alert(1)</script></svg>\n")
    (minimal_project / "overrides" / "logo.png").write_bytes(b"\x89PNG")
    _theme_folder(minimal_project, "overrides")
    _config(minimal_project, plugin_options="      allow:\n        custom_dir: [overrides]\n")

    found = {(f.path, f.rule) for f in _errors(minimal_project)}
    assert found == {("overrides/x.js", "docs-file"), ("overrides/page.svg", "docs-file")}
    [finding] = [f for f in _errors(minimal_project) if f.path == "overrides/x.js"]
    assert "file under overrides/ is published as it is" in finding.message
    assert "allow: {docs: [overrides/x.js]}" in finding.hint
    _refused(minimal_project, site)
    assert not (site / "x.js").exists()

    (minimal_project / "overrides" / "page.svg").unlink()
    config = minimal_project / "mkdocs.yml"
    config.write_text(
        config.read_text(encoding="utf-8").replace(
            "        custom_dir: [overrides]\n", "        custom_dir: [overrides]\n        docs: [overrides/x.js]\n"
        ),
        encoding="utf-8",
    )
    assert _errors(minimal_project) == []
    result = build(minimal_project, tmp_path / "built")
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "built" / "x.js").is_file()
    assert "<p>Our footer</p>" in (tmp_path / "built" / "index.html").read_text(encoding="utf-8")


def test_an_allowed_theme_folder_named_by_relative_is_allowed_by_its_path(minimal_project: Path) -> None:
    (minimal_project / "overrides").mkdir()
    _theme_folder(minimal_project, "!relative $config_dir/overrides")
    assert _only(minimal_project, "config-code").field == "theme.custom_dir"
    _config(minimal_project, plugin_options="      allow:\n        custom_dir: [./overrides]\n")
    assert _errors(minimal_project) == []
