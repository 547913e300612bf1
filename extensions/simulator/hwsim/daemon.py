"""Start or stop a background simulator whose details live in a state directory (shell-driven CI, molecule, the
role hwcloud.infra.simulator).

    python -m hwsim.daemon start --state-dir DIR [--tls] [--seed FILE] [--env-file FILE]
        # writes DIR/hwsim.json (and FILE, a shell script to source), returns once it listens
    python -m hwsim.daemon env --state-dir DIR     # prints that script for the running simulator
    python -m hwsim.daemon stop --state-dir DIR    # SIGTERM, wait, remove DIR/hwsim.json

The script exports the HW_* variables that point the collection at the simulator (and HWSIM_URL), silences
ansible-core's implicit-localhost warnings, and defines ``hwsim_leave``, which unsets them again (and puts PATH back
as it was before the script, when it added to PATH).

hwsim.json holds url, pid, ca_file and ``auth``: the connection options (region, credentials of the default seed,
endpoints, ca_bundle) that point the collection's modules at this simulator.
"""

import argparse
import json
import os
import shlex
import signal
import sys
import time

from .control import SEED, SimulatorProcess, connection_env

LEAVE = "hwsim_leave"
PATH_BEFORE = "HWSIM_PATH_BEFORE"
# ansible-core's warnings about the implicit localhost (no inventory given), which every ad-hoc command prints.
QUIET = {"ANSIBLE_LOCALHOST_WARNING": "False", "ANSIBLE_INVENTORY_UNPARSED_WARNING": "False"}


def shell_env(info, extra=None):
    """The variables that point ansible at the simulator of ``info`` (hwsim.json)."""
    env = connection_env(info["auth"], info["url"])
    env.update(QUIET, ANSIBLE_RETRY_FILES_ENABLED="0")
    env.update(extra or {})
    return env


def env_script(info, env, path_prefix=None, written_by="python -m hwsim.daemon"):
    """A script to source: the exports, and a shell function that takes them back (and ``path_prefix`` off
    PATH)."""
    lines = ["# Written by %s: source it to point ansible at the simulator (%s)." % (written_by, info["url"]),
             "# `%s` takes every variable below back (the simulator's environment, not the simulator)." % LEAVE]
    lines += ["export %s=%s" % (name, shlex.quote(value)) for name, value in sorted(env.items())]
    if path_prefix:
        # PATH as it was before the first time this script was sourced: what hwsim_leave restores (an activated
        # venv that is also path_prefix stays on PATH).
        lines.append('export %s="${%s-$PATH}"' % (PATH_BEFORE, PATH_BEFORE))
        lines.append('export PATH=%s:"$PATH"' % shlex.quote(path_prefix))
    lines.append("%s() {" % LEAVE)
    lines.append("  unset %s" % " ".join(sorted(env)))
    if path_prefix:
        lines.append('  PATH="$%s"' % PATH_BEFORE)
        lines.append("  unset %s" % PATH_BEFORE)
    lines.append("  unset -f %s" % LEAVE)
    lines.append('  echo "simulator environment left: HW_* and ANSIBLE_* variables unset%s"'
                 % (", PATH as it was before" if path_prefix else ""))
    lines.append("}")
    return "\n".join(lines) + "\n"


def read_info(state_dir):
    path = os.path.join(state_dir, "hwsim.json")
    if not os.path.exists(path):
        return None
    with open(path, encoding="utf-8") as handle:
        return json.load(handle)


def start(state_dir, tls, seed=SEED):
    """Start a simulator whose details go to DIR/hwsim.json; one already running there is stopped first (its state
    is lost). Returns (info, the replaced simulator's info or None)."""
    os.makedirs(state_dir, exist_ok=True)
    path = os.path.join(state_dir, "hwsim.json")
    replaced = stop(state_dir)
    sim = SimulatorProcess(tls=tls, seed=seed)
    sim.start()
    info = {"url": sim.url, "pid": sim.proc.pid, "ca_file": sim.ca_file, "auth": sim.connection_options()}
    with open(path, "w", encoding="utf-8") as handle:
        json.dump(info, handle, indent=1)
    return info, replaced


def stop(state_dir):
    """Stop the simulator DIR/hwsim.json names; returns its info when one was running, else None."""
    path = os.path.join(state_dir, "hwsim.json")
    if not os.path.exists(path):
        return None
    with open(path, encoding="utf-8") as handle:
        info = json.load(handle)
    pid = info["pid"]
    try:
        os.kill(pid, signal.SIGTERM)
    except ProcessLookupError:
        os.remove(path)
        return None
    try:
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            os.kill(pid, 0)
            time.sleep(0.1)
        os.kill(pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    os.remove(path)
    return info


def main(argv=None):
    parser = argparse.ArgumentParser(prog="hwsim.daemon", description=__doc__)
    parser.add_argument("action", choices=["start", "stop", "env"])
    parser.add_argument("--env-file", help="with start: write the script `env` prints to this file")
    parser.add_argument("--state-dir", required=True)
    parser.add_argument("--tls", action="store_true")
    parser.add_argument("--seed", default=SEED,
                        help="a seed file (extensions/simulator/README.md); the default seed when omitted")
    args = parser.parse_args(argv)
    if args.action == "start":
        if not os.path.isfile(args.seed):
            parser.exit(1, "simulator: the seed file %s does not exist (or is not a file)\n" % args.seed)
        try:
            info, replaced = start(args.state_dir, args.tls, os.path.abspath(args.seed))
        except RuntimeError as exc:
            parser.exit(1, "%s\n" % exc)
        if replaced:
            print("simulator: replaced the one at %s (pid %d); its state is gone" % (replaced["url"], replaced["pid"]))
        print("simulator: listening at %s (pid %d)" % (info["url"], info["pid"]))
        if args.env_file:
            with open(args.env_file, "w", encoding="utf-8") as handle:
                handle.write(env_script(info, shell_env(info)))
            print("simulator: source %s to point ansible at it; %s leaves its environment" % (args.env_file, LEAVE))
    elif args.action == "env":
        info = read_info(args.state_dir)
        if info is None:
            parser.exit(1, "simulator: none is running for %s\n" % args.state_dir)
        sys.stdout.write(env_script(info, shell_env(info)))
    else:
        print("simulator: stopped" if stop(args.state_dir) else "simulator: none was running")
    return 0


if __name__ == "__main__":
    sys.exit(main())
