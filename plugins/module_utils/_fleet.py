# -*- coding: utf-8 -*-
# Copyright (c) hwcloud.infra contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# This module_utils is PRIVATE and should only be used by this collection. Breaking changes can occur any time.

"""What the batch modules share: their options, the worker pool, per-item results and totals."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ..module_utils._errors import HuaweiCloudError, WaitTimeoutError
from ..module_utils._validate import validate_int

CONCURRENCY_RANGE = (1, 64)
RATE_RANGE = (0, 1000)
NOT_ATTEMPTED = "not attempted"


def fleet_argument_spec(wait_timeout=600):
    """The options every batch module has besides its list of items."""
    return dict(
        concurrency=dict(type="int", default=10),
        rate_limit=dict(type="float", default=20),
        wait=dict(type="bool", default=True),
        wait_timeout=dict(type="int", default=wait_timeout),
    )


def validate_fleet_options(params):
    """concurrency and rate_limit, checked before any request; returns (concurrency, rate)."""
    concurrency = validate_int(params["concurrency"], "concurrency", CONCURRENCY_RANGE)
    rate = params["rate_limit"]
    if rate is None or not RATE_RANGE[0] <= rate <= RATE_RANGE[1]:
        raise HuaweiCloudError("rate_limit must be between %s and %s requests per second" % RATE_RANGE)
    return concurrency, rate


def refuse(module, results, problems, option, label, what):
    """Fail, before anything was changed, listing every problem of every item: one line per item in the message,
    and ``problems`` ([{position, item, resource, problem}]) in the result, with ``totals``, ``report`` and each
    result saying what became of its item. ``problems`` is a list of (index, message)."""
    if not problems:
        return
    by_index = {}
    for index, message in problems:
        by_index.setdefault(index, []).append(message)
    for index, result in enumerate(results):
        if index in by_index:
            result["error"] = "; ".join(by_index[index])
        elif not result["error"]:
            result["error"] = "%s: the batch was refused before any change (%d other item(s) have problems)" % (
                NOT_ATTEMPTED, len(by_index))
    module.result["problems"] = [{"position": i, "item": "%s[%d]" % (option, i), "resource": label(results[i]),
                                  "problem": "; ".join(by_index[i])} for i in sorted(by_index)]
    summarize(module, results, option, label)
    raise HuaweiCloudError("%d of %d item(s) %s:\n%s" % (len(by_index), len(results), what, "\n".join(
        "%s[%d] (%s): %s" % (option, i, label(results[i]), "; ".join(by_index[i])) for i in sorted(by_index))))


class Stages(object):
    """Whatever stops a batch (a failed listing or project-id discovery, a wait that cannot read, a bug), its result
    has ``totals`` and ``report``, and every item says what became of it. Used as ``with Stages(...) as stages``
    around the batch's work; ``stages.writing()`` when the first write may go out, ``stages.waiting()`` when the
    writes were sent and are being confirmed.

    Stopped while planning, every item still open is not attempted; stopped while confirming, every change not
    yet confirmed is failed (the change stands, unconfirmed); the items already told keep their ending."""

    def __init__(self, module, results, option, label):
        self.module = module
        self.results = results
        self.option = option
        self.label = label
        self.stage = "planning"

    def writing(self):
        self.stage = "writing"

    def waiting(self):
        self.stage = "waiting"

    def __enter__(self):
        return self

    def __exit__(self, exc_type, exc, traceback):
        if exc is None or "totals" in self.module.result or not isinstance(exc, Exception):
            return False
        reason = (getattr(exc, "message", None) or str(exc) or type(exc).__name__).split("\n", 1)[0]
        for result in self.results:
            if result["error"]:
                continue
            if self.stage == "planning":
                result["error"] = "%s: the batch stopped before any change (%s)" % (NOT_ATTEMPTED, reason)
            elif self.stage == "waiting" and result["changed"]:
                result["error"] = "not confirmed: the batch stopped while confirming the changes (%s)" % reason
        self.module.result["changed"] = any(r["changed"] for r in self.results)
        summary, _unsuccessful = summarize(self.module, self.results, self.option, self.label)
        if isinstance(exc, HuaweiCloudError):
            raise exc.reworded("%s. %s" % (exc.message, summary))
        return False


def run_pool(work, keys, concurrency):
    """``work(key)`` for every key, at most ``concurrency`` at a time; every call runs to its end."""
    keys = list(keys)
    if not keys:
        return
    from concurrent.futures import ThreadPoolExecutor
    with ThreadPoolExecutor(max_workers=min(concurrency, len(keys))) as pool:
        for future in [pool.submit(work, key) for key in keys]:
            future.result()


# The first pause of a fleet wait (then growing by half each round, up to 10 s): a round is one listing for all.
FLEET_POLL = 0.5


def progress(done, pending):
    """How many changes ended well, ended in failure (an exception as their outcome) and are still pending."""
    failed = sum(1 for outcome in done.values() if isinstance(outcome, Exception))
    return {"done": len(done) - failed, "failed": failed, "pending": len(pending)}


def wait_together(client, pending, fetch, settle, timeout, what, label, done):
    """One polling loop for many pending changes: each round ``fetch()`` reads them all at once and
    ``settle(state)`` removes from ``pending`` (a dict) every change that ended, recording its outcome in ``done``.
    Raises WaitTimeoutError naming ``what`` is still pending (``label(value)``), with ``last_state`` =
    {"done": done, "pending": [keys]}."""
    if not pending:
        return done
    try:
        client.wait_for(fetch, lambda state: settle(state) or not pending, timeout, what, interval=FLEET_POLL,
                        progress=lambda: progress(done, pending))
    except WaitTimeoutError:
        raise WaitTimeoutError("timed out after %s seconds waiting for %s; still pending: %s"
                               % (timeout, what, ", ".join(label(v) for v in pending.values())),
                               last_state={"done": done, "pending": sorted(pending)})
    return done


def summarize(module, results, option, label):
    """``totals`` and ``report`` in the result; the one-line summary. The totals partition the items: each counts
    once, as failed (an error; a change applied but not confirmed is failed, and says so), not attempted, changed
    or unchanged."""
    failed = [i for i, r in enumerate(results) if r["error"] and not r["error"].startswith(NOT_ATTEMPTED)]
    skipped = [i for i, r in enumerate(results) if r["error"] and r["error"].startswith(NOT_ATTEMPTED)]
    changed = [i for i, r in enumerate(results) if r["changed"] and not r["error"]]
    totals = {"items": len(results), "changed": len(changed), "failed": len(failed), "not_attempted": len(skipped)}
    totals["unchanged"] = len(results) - len(changed) - len(failed) - len(skipped)
    module.result["totals"] = totals
    module.result["report"] = ["%s[%d] %s: %s" % (option, i, label(r), _outcome(r)) for i, r in enumerate(results)]
    summary = "%(items)d item(s): %(changed)d changed, %(unchanged)d unchanged, %(failed)d failed, " \
              "%(not_attempted)d not attempted" % totals
    if module.waits:
        seconds = sum(w["seconds"] for w in module.waits)
        summary += "; waited %.1f s (%d reads)" % (seconds, sum(w["attempts"] for w in module.waits))
    return summary, failed + skipped


def finish(module, results, option, label):
    """Totals, report and a one-line summary in the result; raises, one line per failed item and naming the
    changed ones, when an item failed. ``label(result)`` names an item's resource."""
    summary, unsuccessful = summarize(module, results, option, label)
    if unsuccessful:
        changed = [i for i, r in enumerate(results) if r["changed"]]
        raise HuaweiCloudError("%s. Changed: %s. Failed:\n%s" % (
            summary, ", ".join("%s[%d] (%s)" % (option, i, label(results[i])) for i in changed) or "none",
            "\n".join("%s[%d] (%s): %s" % (option, i, label(results[i]), _outcome(results[i]))
                      for i in sorted(unsuccessful))))
    return summary


def _outcome(result):
    found = result.get("found")
    return _ending(result) + (" (found %s)" % found if found else "")


def _ending(result):
    if result["error"]:
        if result["error"].startswith(NOT_ATTEMPTED):
            return result["error"]
        if result["changed"]:
            return "failed after a change was made: %s" % result["error"]
        return "failed: %s" % result["error"]
    return "changed" if result["changed"] else "unchanged"
