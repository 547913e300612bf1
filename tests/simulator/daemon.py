"""Start or stop a background simulator whose details live in a state directory (for molecule and other tools).

    python -m simulator.daemon start --state-dir DIR [--tls]   # writes DIR/hwsim.json, returns once it listens
    python -m simulator.daemon stop --state-dir DIR            # SIGTERM, wait, remove DIR/hwsim.json

hwsim.json holds url, pid, ca_file and ``auth``: the connection options (region, credentials of the default seed,
endpoints, ca_bundle) that point the collection's modules at this simulator.
"""

import argparse
import json
import os
import signal
import sys
import time

from .control import SimulatorProcess


def start(state_dir, tls):
    """Start a simulator whose details go to DIR/hwsim.json; one already running there is stopped first (its state
    is lost). Returns (info, the replaced simulator's info or None)."""
    os.makedirs(state_dir, exist_ok=True)
    path = os.path.join(state_dir, "hwsim.json")
    replaced = stop(state_dir)
    sim = SimulatorProcess(tls=tls)
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
    parser = argparse.ArgumentParser(prog="simulator.daemon", description=__doc__)
    parser.add_argument("action", choices=["start", "stop"])
    parser.add_argument("--state-dir", required=True)
    parser.add_argument("--tls", action="store_true")
    args = parser.parse_args(argv)
    if args.action == "start":
        info, replaced = start(args.state_dir, args.tls)
        if replaced:
            print("simulator: replaced the one at %s (pid %d); its state is gone" % (replaced["url"], replaced["pid"]))
        print("simulator: listening at %s (pid %d)" % (info["url"], info["pid"]))
    else:
        print("simulator: stopped" if stop(args.state_dir) else "simulator: none was running")
    return 0


if __name__ == "__main__":
    sys.exit(main())
