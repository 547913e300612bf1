"""extensions/audit/event_query.yml run on real module results (the modules against the simulator, in this
process), held to the contract AAP's indirect node counting imposes: every record has a name that is never null and
unique within the job but for the same resource, canonical facts that are identity only (no null at any depth, the
same shape for one resource whichever module reports it), and facts with the infra type, bucket and device type."""

import importlib
import os
import re

import jq
import pytest
import yaml


ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
QUERIES = os.path.join(ROOT, "extensions", "audit", "event_query.yml")
NORMALIZED = re.compile(r"^[a-z0-9]+(_[a-z0-9]+)*$")
MODULES = ("modelarts_devserver_info", "modelarts_devserver_eip", "modelarts_devserver_eip_batch",
           "cdc_imetal_instance_info", "cdc_imetal_ip", "cdc_imetal_ip_batch", "vpc_eip_info", "vpc_eip")


def queries():
    with open(QUERIES, encoding="utf-8") as handle:
        return dict((k, v["query"]) for k, v in yaml.safe_load(handle).items())


def subnet(sim, name):
    return next(s["id"] for s in sim.state()["subnets"] if s["name"] == name)


# What each module does in the job, against the default seed: (module, args builder, check mode).
TASKS = [
    ("modelarts_devserver_info", lambda sim: {}, False),
    ("modelarts_devserver_eip", lambda sim: {"server": "train-a3-01", "public_ip": "203.0.113.11"}, False),
    ("modelarts_devserver_eip", lambda sim: {"server": "train-a3-01", "public_ip": "203.0.113.11"}, True),
    ("modelarts_devserver_eip_batch", lambda sim: {"bindings": [
        {"server": "train-a3-02", "public_ip": "203.0.113.12"},
        {"server": "train-a3-02", "public_ip": "203.0.113.13"},
        {"server": "5dc3089f-0246-546f-ac11-e10d34ae3010", "public_ip": "203.0.113.40"}]}, False),
    ("cdc_imetal_instance_info", lambda sim: {}, False),
    ("cdc_imetal_ip", lambda sim: {"instance": "gpu-node-02", "nics": [
        {"subnet_id": subnet(sim, "subnet-a1"), "ip_address": "10.0.1.77"}]}, False),
    ("cdc_imetal_ip_batch", lambda sim: {"instances": [
        {"instance": "batch-node-01", "nics": [{"subnet_id": subnet(sim, "subnet-b1"), "ip_address": "172.16.0.101"}]},
        {"instance": "batch-node-02", "nics": [{"subnet_id": subnet(sim, "subnet-b1"), "ip_address": "172.16.0.102"}]},
    ]}, False),
    ("vpc_eip_info", lambda sim: {}, False),
    ("vpc_eip", lambda sim: {"name": "audit-eip"}, False),
]


def nulls(value, path="canonical_facts"):
    if value is None:
        return [path]
    if isinstance(value, dict):
        return [p for k, v in value.items() for p in nulls(v, "%s.%s" % (path, k))]
    if isinstance(value, list):
        return [p for i, v in enumerate(value) for p in nulls(v, "%s[%d]" % (path, i))]
    return []


def check_record(module, record):
    assert isinstance(record.get("name"), str) and record["name"], (module, record)
    assert record.get("canonical_facts") and not nulls(record["canonical_facts"]), (module, record)
    assert set(record["canonical_facts"]) == {"id"}, "identity only: %s %s" % (module, record)
    facts = record.get("facts") or {}
    for key in ("infra_type", "infra_bucket", "device_type"):
        assert NORMALIZED.match(facts.get(key) or ""), (module, key, facts)


def test_every_module_that_reads_or_changes_a_node_has_a_query():
    found = queries()
    assert sorted(found) == sorted("hwcloud.infra.%s" % m for m in MODULES)
    for key in found:
        assert len(key.split(".")) == 3


def test_a_job_of_every_module_counts_each_resource_once_by_its_id(sim, run_module):
    found = queries()
    job = {}
    for module, args, check_mode in TASKS:
        main = importlib.import_module("ansible_collections.hwcloud.infra.plugins.modules.%s" % module).main
        result = run_module(main, sim, args(sim), check_mode=check_mode)
        assert not result.get("failed"), (module, result.get("msg"))
        records = jq.compile(found["hwcloud.infra.%s" % module]).input_value(result).all()
        assert records, "%s reported no resource" % module
        names = [r["name"] for r in records]
        assert len(names) == len(set(names)), "%s: one resource twice in one result: %s" % (module, names)
        for record in records:
            check_record(module, record)
            # One name, one resource: the controller keys a job's records by name.
            seen = job.setdefault(record["name"], record["canonical_facts"])
            assert seen == record["canonical_facts"], (module, record)
    state = sim.state()
    servers = set(s["id"] for s in state["dev_servers"])
    instances = set(i["id"] for i in state["instances"])
    eips = set(e["id"] for e in state["publicips"])
    assert servers <= set(job) and instances <= set(job), "the info modules report every server and instance"
    assert set(job) <= servers | instances | eips, "nothing but the seed's resources"


def test_a_failed_or_empty_result_reports_nothing_and_never_a_null(sim, run_module):
    found = queries()
    for module in MODULES:
        program = jq.compile(found["hwcloud.infra.%s" % module])
        for result in ({}, {"failed": True, "msg": "x"}, {"servers": None, "instances": None, "eips": None},
                       {"server": None, "instance": None, "eip": None}, {"servers": [{"id": None}], "eips": [{}]}):
            assert program.input_value(result).all() == [], (module, result)


@pytest.mark.parametrize("module", MODULES)
def test_the_query_names_its_module(module):
    assert "hwcloud.infra.%s" % module in queries()
