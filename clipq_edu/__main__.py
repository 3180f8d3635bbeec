"""Command line: ``python -m clipq_edu lab`` starts the course, ``python -m clipq_edu doctor``
checks that this machine can run it. Both work on Linux, macOS and Windows (no ``make``)."""

from __future__ import annotations

import argparse
import sys


def main(argv: list[str] | None = None) -> int:
    """Entry point of ``python -m clipq_edu`` and the ``clipq-edu`` script."""
    from clipq_edu import _launch

    parser = argparse.ArgumentParser(prog="python -m clipq_edu", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("doctor", help="check platform, Python, pinned packages, Keras, TFQ, memory")
    _launch.add_arguments(sub.add_parser(
        "lab", help="start JupyterLab on the first chapter (127.0.0.1, with a token)"))
    args = parser.parse_args(argv)
    if args.command == "doctor":
        from clipq_edu import doctor

        return doctor.run()
    if args.command == "lab":
        return _launch.run(args)
    return 2  # pragma: no cover - argparse rejects unknown commands


if __name__ == "__main__":
    sys.exit(main())
