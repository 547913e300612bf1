"""A module's throttling budget and a server's Retry-After, checked on the test's clock: the 120-second budget
runs in milliseconds, the simulator seeing every second of it pass. Each check is also run against the behaviour
broken on purpose, and must fail there: a test moved off the wall clock still guards what it guarded."""

import pytest

from ansible_collections.hwcloud.infra.plugins.module_utils import _client
from ansible_collections.hwcloud.infra.plugins.modules import modelarts_devserver_info

PUBLICIPS = r"/dev-servers/[^/]+/publicips$"


def throttled(sim):
    return [r for r in sim.requests() if r.get("status") == 429]


def check_the_throttling_budget(sim, run_module):
    """Throttled with Retry-After 7 far longer than the budget allows: the module waits 7 s at a time until its 120 s
    are spent, then fails naming the throttling; the simulator's clock moved by every second it waited."""
    sim.fault(method="GET", path=PUBLICIPS, status=429, retry_after=7, count=40)
    out = run_module(modelarts_devserver_info.main, sim, {"server": "train-a3-04"})
    waits = int(120 // 7)
    assert out.get("failed") and "APIG.0308" in out["msg"], out.get("msg")
    assert run_module.clock.calls == [7.0] * waits
    assert len(throttled(sim)) == waits + 1
    assert sim.admin("GET", "clock")["offset"] == pytest.approx(7.0 * waits)


def check_retry_after(sim, run_module):
    """Throttled twice with Retry-After 4: the module waits exactly 4 s twice, then reads and succeeds."""
    sim.fault(method="GET", path=PUBLICIPS, status=429, retry_after=4, count=2)
    out = run_module(modelarts_devserver_info.main, sim, {"server": "train-a3-04"})
    assert not out.get("failed"), out.get("msg")
    assert [e["address"] for e in out["servers"][0]["public_ips"]] == ["203.0.113.40"]
    assert run_module.clock.calls == [4.0, 4.0]
    assert len(throttled(sim)) == 2


def test_the_throttling_budget_is_spent_on_the_test_clock(sim, run_module):
    check_the_throttling_budget(sim, run_module)


def test_retry_after_is_honoured_on_the_test_clock(sim, run_module):
    check_retry_after(sim, run_module)


BREAKAGES = {
    "a budget twice as long": lambda mp: mp.setattr(_client, "THROTTLE_BUDGET", 240.0),
    "no budget at all": lambda mp: mp.setattr(_client, "THROTTLE_BUDGET", float("inf")),
    "Retry-After ignored": lambda mp: mp.setattr(_client, "parse_retry_after", lambda value, now=None: None),
    "Retry-After halved": lambda mp: mp.setattr(
        _client.RetryPolicy, "delay", lambda self, attempt, retry_after=None: (retry_after or 2.0) / 2),
}


@pytest.mark.parametrize("check,breakage", [
    (check_the_throttling_budget, "a budget twice as long"),
    (check_the_throttling_budget, "no budget at all"),
    (check_the_throttling_budget, "Retry-After ignored"),
    (check_retry_after, "Retry-After ignored"),
    (check_retry_after, "Retry-After halved"),
], ids=lambda value: getattr(value, "__name__", value))
def test_each_check_fails_when_the_behaviour_it_guards_is_broken(sim, run_module, monkeypatch, check, breakage):
    BREAKAGES[breakage](monkeypatch)
    with pytest.raises(AssertionError):
        check(sim, run_module)
