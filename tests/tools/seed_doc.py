"""docs/simulator.md from the simulator's seed: `python tests/tools/seed_doc.py build|check` (run by docs.sh)."""

import os
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SEED = os.path.join(ROOT, "extensions", "simulator", "hwsim", "seed.yml")
DOC = os.path.join(ROOT, "docs", "simulator.md")

HEAD = """# The bundled simulator

`make sim` starts the Huawei Cloud API simulator (`extensions/simulator`) on 127.0.0.1 and a free port and writes
`.tmp/sim/env.sh`; `source .tmp/sim/env.sh` points `ansible`, `ansible-playbook` and `ansible-doc` at it and at
this checkout's collection; `make sim-stop` stops it. `make demo` runs `playbooks/demo.yml` against a simulator of
its own. Every start begins from the same seed (`extensions/simulator/hwsim/seed.yml`, written in the seed format
users write theirs in), listed below (this page is generated from it): the examples in the README and in these
docs use these names, so they show real plans and results.

Region `%(region)s`, project `%(project)s`. The connection variables come from `env.sh`; the
simulator also accepts IAM password login (`extensions/simulator/hwsim/seedinfo.py` holds its simulator-only credentials).
"""


def holder(eip, servers):
    if eip.get("sim_bound_server"):
        return "Lite Server " + servers[eip["sim_bound_server"]]
    kind = eip.get("associate_instance_type")
    if kind == "ELB":
        return "a load balancer"
    if kind:
        return "an ECS port"
    return "- (%s)" % eip["status"]


def render():
    sys.path.insert(0, os.path.join(ROOT, "extensions", "simulator"))
    from hwsim.state import load_seed
    seed = load_seed(SEED)
    servers = dict((s["id"], s["name"]) for s in seed["dev_servers"])
    subnets = dict((s["id"], s["name"]) for s in seed["subnets"])
    # A project's name is its region (as IAM names a region's default project).
    lines = [HEAD % {"region": seed["projects"][0]["name"], "project": seed["projects"][0]["id"]}]
    lines += ["## ModelArts Lite Servers", "", "| name | status | flavor | EIPs bound |", "|---|---|---|---|"]
    for server in seed["dev_servers"]:
        bound = [e["public_ip_address"] for e in seed["publicips"] if e.get("sim_bound_server") == server["id"]]
        lines.append("| %s | %s | %s | %s |" % (server["name"], server["status"], server.get("flavor"),
                                                ", ".join(bound) or "-"))
    lines += ["", "## EIPs", "", "| address | name | held by (status) |", "|---|---|---|"]
    for eip in seed["publicips"]:
        lines.append("| %s | %s | %s |" % (eip["public_ip_address"], eip["alias"], holder(eip, servers)))
    lines += ["", "## Shared bandwidths", "", "| id | name | size (Mbit/s) |", "|---|---|---|"]
    for bandwidth in seed.get("bandwidths", []):
        lines.append("| %s | %s | %s |" % (bandwidth["id"], bandwidth["name"], bandwidth["size"]))
    lines += ["", "## VPC subnets", "", "| id | name | CIDR | VPC |", "|---|---|---|---|"]
    for subnet in seed["subnets"]:
        lines.append("| %s | %s | %s | %s |" % (subnet["id"], subnet["name"], subnet["cidr"], subnet["vpc_id"]))
    lines += ["", "## iMetal instances", "", "| name | VPC | NIC addresses (subnet) |", "|---|---|---|"]
    for instance in seed["instances"]:
        lines.append("| %s | %s | %s |" % (instance["name"], instance["vpc_id"], ", ".join(
            "%s (%s)" % (nic.get("ipv4_address"), subnets.get(nic["subnet_id"], nic["subnet_id"]))
            for nic in instance["network_interfaces"])))
    return "\n".join(lines) + "\n"


def main(mode):
    text = render()
    if mode == "build":
        with open(DOC, "w", encoding="utf-8") as handle:
            handle.write(text)
        return 0
    with open(DOC, encoding="utf-8") as handle:
        if handle.read() != text:
            print("docs/simulator.md is not what the seed generates: run 'make docs' and commit it", file=sys.stderr)
            return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1] if len(sys.argv) > 1 else "check"))
