"""The report's Method section says what counts as set-up, warm-up exchanges included (issue 10 section 4)."""

from __future__ import annotations


def test_method_says_node_and_java_warm_up_inside_their_own_process_before_ready(markdown):
    method = markdown.split("## Method", 1)[1].split("\n## ", 1)[0]
    assert "throw-away server inside their own process" in method
    assert "Node's fetch and Java's HttpClient" in method and "in their wall time" in method
