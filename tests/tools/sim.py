"""`make sim` / `make sim-stop`: the simulator in the background for trying the collection by hand.

    python tests/tools/sim.py start   # starts it on 127.0.0.1 (a free port), writes .tmp/sim/env.sh
    python tests/tools/sim.py stop

env.sh exports what points ansible, ansible-playbook and ansible-doc at the simulator and at this checkout's
collection: the HW_* connection variables (the simulator's own region, access key and endpoints), the collection
path, the venv's Python. Source it in your shell; its values are printed by name only.
"""

import os
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
STATE_DIR = os.path.join(ROOT, ".tmp", "sim")
ENV_FILE = os.path.join(STATE_DIR, "env.sh")
sys.path.insert(0, os.path.join(ROOT, "extensions", "simulator"))

from hwsim import daemon  # noqa: E402


def environment(info):
    """env.sh's variables: the simulator's (hwsim.daemon.shell_env), this checkout's collection, the venv's Python."""
    venv_bin = os.path.join(ROOT, ".venv", "bin")
    env = daemon.shell_env(info, {"ANSIBLE_COLLECTIONS_PATH": os.path.join(ROOT, ".tmp", "collections"),
                                  "ANSIBLE_PYTHON_INTERPRETER": os.path.join(venv_bin, "python")})
    return env, venv_bin


def start():
    info, replaced = daemon.start(STATE_DIR, tls=False)
    env, venv_bin = environment(info)
    with open(ENV_FILE, "w", encoding="utf-8") as handle:
        handle.write(daemon.env_script(info, env, venv_bin, written_by="`make sim`"))
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
          "(or open a new shell)" % daemon.LEAVE)


if __name__ == "__main__":
    if len(sys.argv) != 2 or sys.argv[1] not in ("start", "stop"):
        sys.exit(__doc__)
    start() if sys.argv[1] == "start" else stop()
