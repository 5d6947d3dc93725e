"""orchestrator/words.py: a count with its noun, and the messages that once said "a different clients"."""

from __future__ import annotations

import re

from orchestrator.measure.matrix import RESUME_MUST_MATCH
from orchestrator.words import counted


def test_a_count_takes_the_singular_only_for_one():
    assert [counted(n, "run") for n in (0, 1, 2)] == ["0 runs", "1 run", "2 runs"]
    assert counted(2, "process", "processes") == "2 processes" and counted(1, "process", "processes") == "1 process"


def test_resume_names_what_differs_as_a_user_would():
    for what in RESUME_MUST_MATCH.values():
        assert not re.search(r"\ba (different|other) \w+s\b", what), what  # "a different clients"
        assert "_" not in what, what  # not a metadata key (config_sha256, inherit_env)


def test_a_case_of_one_call_is_titled_in_the_singular():
    from orchestrator.report.titles import case_title

    assert case_title("keepalive", {"requests": 1}) == "1 call over keep-alive"
    assert case_title("keepalive", {"requests": 10}) == "10 calls over keep-alive"
