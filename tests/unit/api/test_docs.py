"""docs/api.md is generated from the declarations and kept current."""

from pathlib import Path

from appliance.api import docs, registry

ROOT = Path(__file__).resolve().parents[3]


def _product_commands() -> list[registry.CommandSpec]:
    # Other suites in the same process add test-only command modules (tests.support.*).
    return [spec for spec in registry.all_commands()
            if not spec.cls.__module__.startswith("tests.")]


def test_committed_reference_matches_declarations() -> None:
    committed = (ROOT / "docs" / "api.md").read_text()
    assert committed == docs.markdown(_product_commands()), \
        "run `cirrus apidocs --output docs/api.md`"


def test_every_command_and_parameter_is_documented() -> None:
    text = docs.markdown()
    for spec in registry.all_commands():
        assert f"### {spec.name}\n" in text
        for param in spec.params:
            assert f"| {param.name} | {param.type.name}" in text
