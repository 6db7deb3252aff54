"""Every shell block of README.md and docs/*.md runs as written, against real processes.

The convention (also in docs/writing.md):

- every ```sh (or ```bash, ```shell) block runs; sample output goes in ```text blocks;
- one bash session per Markdown file, with ``set -e``: blocks run in the file's order, so a
  later block may use the files, variables and servers of an earlier one;
- the session starts in a temporary copy of the checkout, with this environment's
  ``python`` and ``hubsim`` first on PATH, and (where the kernel allows) in a network
  namespace of its own, so the examples' fixed ports meet nobody else's servers;
- start a long-running server with ``&`` and wait for it with ``hubsim wait URL``; every
  process of the session is killed after the file's last block;
- ``<!-- not-run: REASON -->`` on the line before the opening fence skips a block that cannot
  run on a test machine (docker, apt-get, installing packages).

A failure names the file, the block's number and line, the block, and what it printed.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.docs.shell_blocks import (
    ConventionError,
    copy_checkout,
    run_session,
    shell_blocks,
)

ROOT = Path(__file__).resolve().parents[2]
DOCUMENTS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]


@pytest.mark.parametrize("document", DOCUMENTS, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_shell_block_of_the_document_runs_as_written(document: Path, tmp_path: Path) -> None:
    blocks = shell_blocks(document)
    # The checkout's copy keeps the document's own relative paths (scenarios/, certs/) true.
    copy = copy_checkout(ROOT, tmp_path / "checkout")
    failure = run_session(blocks, copy)
    if failure is not None:
        pytest.fail(failure.message(ROOT), pytrace=False)


def test_a_failing_block_is_named_with_its_file_line_and_output(tmp_path: Path) -> None:
    doc = tmp_path / "guide.md"
    doc.write_text(
        "# Guide\n\n```sh\necho first > made.txt\n```\n\n```text\nnot run\n```\n\n"
        "```sh\ncat made.txt\necho 'about to fail' >&2\nfalse\necho never\n```\n"
    )
    failure = run_session(shell_blocks(doc), tmp_path)
    assert failure is not None and failure.block is not None
    message = failure.message(tmp_path)
    assert message.startswith("guide.md, shell block 2 (line 11) failed with exit code 1.")
    assert "first\nabout to fail" in failure.output
    assert "    false" in message and "    about to fail" in message
    assert "never" not in failure.output


def test_blocks_of_one_file_share_one_session(tmp_path: Path) -> None:
    doc = tmp_path / "guide.md"
    doc.write_text(
        "```sh\nexport GREETING=hello\ncd sub 2>/dev/null || mkdir sub\n```\n\n"
        '```bash\ntest "$GREETING" = hello\n```\n'
    )
    assert run_session(shell_blocks(doc), tmp_path) is None


def test_a_not_run_block_is_skipped_and_needs_a_reason(tmp_path: Path) -> None:
    doc = tmp_path / "guide.md"
    doc.write_text("<!-- not-run: needs docker -->\n```sh\nexit 3\n```\n")
    (block,) = shell_blocks(doc)
    assert block.not_run == "needs docker"
    assert run_session([block], tmp_path) is None
    doc.write_text("<!-- not-run: -->\n```sh\nexit 3\n```\n")
    with pytest.raises(ConventionError, match="needs a reason"):
        shell_blocks(doc)


def test_an_unclosed_fence_is_refused(tmp_path: Path) -> None:
    doc = tmp_path / "guide.md"
    doc.write_text("```sh\necho open\n")
    with pytest.raises(ConventionError, match=r"guide.md:1: .* never closed"):
        shell_blocks(doc)


def test_a_background_server_is_waited_for_and_does_not_hold_the_session(tmp_path: Path) -> None:
    doc = tmp_path / "guide.md"
    doc.write_text(
        "```sh\nhubsim pki init --dir certs > /dev/null\n"
        "hubsim hub serve --pki certs --port 8080 &\n"
        "hubsim wait http://127.0.0.1:8080/api/health\n```\n\n"
        "```sh\nhubsim emp list\n```\n"
    )
    # The hub is still running when the last block ends: the session must end anyway.
    assert run_session(shell_blocks(doc), tmp_path, timeout_s=120) is None
