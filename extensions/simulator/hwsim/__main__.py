"""Run the simulator: python -m simulator [--port 0] [--tls] [--seed FILE] [--ready-file FILE].

On start it prints one JSON line {"url", "port", "ca_file", "pid", "region"} (and writes it to --ready-file); SIGTERM stops it.
"""

import argparse
import json
import os
import signal
import ssl
import sys
import tempfile
import threading

# Importing huaweicloudsdkcore writes $HOME/.huaweicloud/application_id: keep that out of the real home.
os.environ["HOME"] = tempfile.mkdtemp(prefix="hwsim-home-")

from .server import SimHTTPServer, Simulator  # noqa: E402
from .fleet import SeedError  # noqa: E402
from .state import SimState, load_seed, seed_region  # noqa: E402

DEFAULT_SEED = os.path.join(os.path.dirname(os.path.abspath(__file__)), "seed.yml")


def main(argv=None):
    parser = argparse.ArgumentParser(prog="simulator", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0, help="0 picks a free port")
    parser.add_argument("--seed", default=DEFAULT_SEED)
    parser.add_argument("--tls", action="store_true", help="serve HTTPS with a self-signed certificate")
    parser.add_argument("--cert-dir", help="where to write cert.pem/key.pem (default: a temp dir)")
    parser.add_argument("--ready-file", help="also write the start-up JSON line to this file")
    parser.add_argument("--verbose", action="store_true")
    args = parser.parse_args(argv)
    if args.host != "127.0.0.1":
        parser.error("the simulator only listens on 127.0.0.1")

    try:
        seed = load_seed(args.seed)
    except SeedError as exc:
        parser.exit(2, "hwsim: the seed cannot be simulated: %s\n" % exc)
    state = SimState(seed)
    server = SimHTTPServer((args.host, args.port), Simulator(state), verbose=args.verbose)
    ca_file = None
    scheme = "http"
    if args.tls:
        from .tls import make_self_signed
        cert_dir = args.cert_dir or tempfile.mkdtemp(prefix="hwsim-tls-")
        ca_file, key_file = make_self_signed(cert_dir)
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(ca_file, key_file)
        server.socket = context.wrap_socket(server.socket, server_side=True)
        scheme = "https"
    port = server.server_address[1]
    info = {"url": "%s://127.0.0.1:%d" % (scheme, port), "port": port, "ca_file": ca_file, "pid": os.getpid(),
            "region": seed_region(seed)}

    def stop(_signum, _frame):
        threading.Thread(target=server.shutdown, daemon=True).start()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    line = json.dumps(info)
    if args.ready_file:
        tmp = args.ready_file + ".tmp"
        with open(tmp, "w", encoding="utf-8") as handle:
            handle.write(line + "\n")
        os.replace(tmp, args.ready_file)
    print(line, flush=True)
    try:
        server.serve_forever(poll_interval=0.2)
    finally:
        server.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
