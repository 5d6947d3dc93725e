"""A connection carries one run: a resident process that keeps a connection from one run to the next is seen.

(The adversarial review of the warm worker: a worker that kept one requests.Session for every run passed
verification, since each run's requests still arrived on one connection.)
"""

import pytest

from orchestrator.config.model import Case
from orchestrator.config.scenarios import SCENARIOS, normalise_params
from orchestrator.measure.verify import Rejected, check_server
from server.run_stats import RunStats

SOCKET_A = ("127.0.0.1", 40000, 1)  # (peer address, port, serial): a real socket's key
SOCKET_B = ("127.0.0.1", 40001, 2)


def test_a_connection_first_used_by_another_run_is_foreign():
    stats = RunStats()
    stats.request_started("run-1", "/api", SOCKET_A)
    stats.request_started("run-2", "/api", SOCKET_A)  # the same connection, the next run
    stats.request_started("run-3", "/api", SOCKET_B)
    assert stats.snapshot("run-1")["foreign_connections"] == 0
    assert stats.snapshot("run-2")["foreign_connections"] == 1
    assert stats.snapshot("run-3")["foreign_connections"] == 0


def test_the_server_s_own_calls_and_socketless_keys_are_not_counted():
    stats = RunStats()
    stats.request_started("run-1", "/delay/1", SOCKET_A, internal=True)
    stats.request_started("run-2", "/delay/1", SOCKET_A, internal=True)  # its own pooled client
    stats.request_started("run-1", "/api", ("testclient", None))  # Flask's test client: no socket
    stats.request_started("run-2", "/api", ("testclient", None))
    assert stats.snapshot("run-2")["foreign_connections"] == 0


def test_verification_rejects_a_run_on_a_foreign_connection():
    stats = RunStats()
    stats.request_started("run-1", "/api", SOCKET_A)
    stats.response_started("run-1", "200")
    stats.request_started("run-2", "/api", SOCKET_A)
    stats.response_started("run-2", "200")
    case = Case("single", normalise_params(SCENARIOS["single"], {}))
    check_server(case, stats.snapshot("run-1"))
    with pytest.raises(Rejected, match="opened by an earlier run"):
        check_server(case, stats.snapshot("run-2"))
