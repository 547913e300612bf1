"""`make sim` / `make sim-stop`: the simulator in the background for trying the collection by hand.

    python tests/tools/sim.py start   # starts it on 127.0.0.1 (a free port), writes .tmp/sim/env.sh
    python tests/tools/sim.py stop

env.sh exports what points ansible, ansible-playbook and ansible-doc at the simulator and at this checkout's
collection: the HW_* connection variables (the simulator's own region, access key and endpoints), the collection
path, the venv's Python. Source it in your shell; its values are printed by name only.
"""

import json
import os
import shlex
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
STATE_DIR = os.path.join(ROOT, ".tmp", "sim")
ENV_FILE = os.path.join(STATE_DIR, "env.sh")
sys.path.insert(0, os.path.join(ROOT, "tests"))

from simulator import daemon  # noqa: E402
from simulator.control import SimulatorProcess  # noqa: E402


# ansible-core's warnings about the implicit localhost (no inventory given), which every ad-hoc command of the
# first hour would print.
QUIET = {"ANSIBLE_LOCALHOST_WARNING": "False", "ANSIBLE_INVENTORY_UNPARSED_WARNING": "False"}


def environment(info):
    """The variables env.sh exports: the same HW_* variables the tests use (SimulatorProcess.ansible_env)."""
    sim = SimulatorProcess()
    sim.url, sim.ca_file = info["url"], info.get("ca_file")
    env = sim.ansible_env(base={})
    venv_bin = os.path.join(ROOT, ".venv", "bin")
    env.update(ANSIBLE_COLLECTIONS_PATH=os.path.join(ROOT, ".tmp", "collections"),
               ANSIBLE_PYTHON_INTERPRETER=os.path.join(venv_bin, "python"), **QUIET)
    return env, venv_bin


LEAVE = "hwsim_leave"


def env_script(info, env, venv_bin):
    """env.sh: the exports, and a shell function that takes them back (and the venv off PATH)."""
    lines = ["# Written by `make sim`: source it to point ansible at the simulator (%s)." % info["url"],
             "# `%s` takes every variable below back (the simulator's environment, not the simulator)." % LEAVE]
    lines += ["export %s=%s" % (name, shlex.quote(value)) for name, value in sorted(env.items())]
    lines.append('export PATH=%s:"$PATH"' % shlex.quote(venv_bin))
    lines.append("%s() {" % LEAVE)
    lines.append("  unset %s" % " ".join(sorted(env)))
    lines.append('  PATH=$(printf %%s "$PATH" | tr : "\\n" | grep -vxF %s | paste -sd: -)' % shlex.quote(venv_bin))
    lines.append("  unset -f %s" % LEAVE)
    lines.append('  echo "simulator environment left: HW_* and ANSIBLE_* variables unset, %s off PATH"'
                 % os.path.relpath(venv_bin, ROOT))
    lines.append("}")
    return "\n".join(lines) + "\n"


def start():
    info, replaced = daemon.start(STATE_DIR, tls=False)
    env, venv_bin = environment(info)
    with open(ENV_FILE, "w", encoding="utf-8") as handle:
        handle.write(env_script(info, env, venv_bin))
    if replaced:
        print("simulator: replaced the simulator that was running at %s (pid %d); its state is gone"
              % (replaced["url"], replaced["pid"]))
    print("simulator: listening at %s (pid %d)" % (info["url"], info["pid"]))
    print("simulator: %s sets %s and PATH" % (os.path.relpath(ENV_FILE, ROOT), ", ".join(sorted(env))))
    print("simulator: now run   source %s" % os.path.relpath(ENV_FILE, ROOT))
    print("simulator: stop it with   make sim-stop")


def stop():
    was = daemon.stop(STATE_DIR)
    if os.path.exists(ENV_FILE):
        os.remove(ENV_FILE)
    print("simulator: stopped" if was else "simulator: none was running")
    print("simulator: in a shell that sourced .tmp/sim/env.sh, run   %s   to leave its environment "
          "(or open a new shell)" % LEAVE)


if __name__ == "__main__":
    if len(sys.argv) != 2 or sys.argv[1] not in ("start", "stop"):
        sys.exit(__doc__)
    start() if sys.argv[1] == "start" else stop()
