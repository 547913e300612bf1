"""The simulator's command line, run from wherever the collection is installed, with nothing to set first:

    python3 <collection>/extensions/simulator/hwsim_daemon.py start --state-dir DIR [--seed FILE] [--tls]
                                                               [--env-file FILE]
    python3 <collection>/extensions/simulator/hwsim_daemon.py env|stop --state-dir DIR

(<collection> is ``ansible-galaxy collection list hwcloud.infra``'s path followed by ``hwcloud/infra``.) It is
``python -m hwsim.daemon`` with this directory on the path, and checks first that this Python has what the simulator
needs, else says the one command that installs it (requirements.txt next to this file).
"""

import importlib.util
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
# import name -> the package that provides it
NEEDS = (("huaweicloudsdkcore", "huaweicloudsdkcore"), ("yaml", "PyYAML"), ("cryptography", "cryptography"))


def missing():
    """The packages this Python lacks, by their package names."""
    return [package for module, package in NEEDS if importlib.util.find_spec(module) is None]


def install_command():
    return "%s -m pip install -r %s" % (sys.executable, os.path.join(HERE, "requirements.txt"))


def main(argv):
    lacking = missing()
    if lacking:
        sys.stderr.write("simulator: this Python (%s) lacks %s, which the simulator needs; install them with:\n"
                         "  %s\n" % (sys.executable, ", ".join(lacking), install_command()))
        return 2
    if HERE not in sys.path:
        sys.path.insert(0, HERE)
    from hwsim.daemon import main as daemon_main
    return daemon_main(argv)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
