"""The README's YAML is a claims file that checks, and its set-up commands stay as they are."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from engine.cli import cli

README = Path(__file__).resolve().parent.parent / "README.md"
YAML_BLOCKS = re.findall(r"^```yaml\n(.*?)^```", README.read_text(encoding="utf-8"), re.S | re.M)


def test_the_readme_has_yaml_to_check() -> None:
    assert YAML_BLOCKS


@pytest.mark.parametrize("block", YAML_BLOCKS, ids=[f"block{i}" for i in range(len(YAML_BLOCKS))])
def test_each_yaml_block_of_the_readme_passes_check_strict(block: str, tmp_path: Path) -> None:
    claims = tmp_path / "claims"
    claims.mkdir()
    (claims / "readme.yaml").write_text(block, encoding="utf-8")
    result = CliRunner().invoke(cli, ["check", str(claims), "--strict"])
    assert result.exit_code == 0, result.output
    assert result.stderr == ""
