"""The demo: start the simulator, run playbooks/demo.yml twice (the second run must change nothing), stop.

The demo asks for the iMetal part too (``demo_imetal_instance``), which the playbook does only when asked."""

import os
import re
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(ROOT, "extensions", "simulator"))

from hwsim.control import SimulatorProcess  # noqa: E402


def play(env, playbook):
    proc = subprocess.run(["ansible-playbook", "-i", "localhost,", "-c", "local", playbook,
                           "-e", "demo_imetal_instance=gpu-node-02", "-e", "demo_imetal_address=10.0.1.42"], env=env, cwd=ROOT,
                          stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, check=False)
    print(proc.stdout)
    recap = re.search(r"localhost\s*:\s*ok=(\d+)\s+changed=(\d+)\s+unreachable=(\d+)\s+failed=(\d+)", proc.stdout)
    if proc.returncode != 0 or not recap:
        sys.exit("demo: %s failed (rc=%d)" % (playbook, proc.returncode))
    return int(recap.group(2))


def main():
    with SimulatorProcess() as sim:
        print("demo: Huawei Cloud API simulator at %s" % sim.url)
        env = sim.ansible_env()
        playbook = os.path.join("playbooks", "demo.yml")
        print("demo: first run, binds the EIPs")
        first = play(env, playbook)
        print("demo: second run, everything already converged")
        second = play(env, playbook)
    if first == 0 or second != 0:
        sys.exit("demo: expected changes on the first run and none on the second, got changed=%d then changed=%d"
                 % (first, second))
    print("demo: first run changed=%d, second run changed=0; simulator stopped" % first)


if __name__ == "__main__":
    main()
