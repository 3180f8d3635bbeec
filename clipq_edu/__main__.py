"""Command line: ``python -m clipq_edu doctor`` checks that this machine can run the course."""

from __future__ import annotations

import argparse
import sys


def main(argv: list[str] | None = None) -> int:
    """Entry point of ``python -m clipq_edu`` and the ``clipq-edu`` script."""
    parser = argparse.ArgumentParser(prog="python -m clipq_edu", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("doctor", help="check Python, pinned packages, Keras flavour, TFQ, memory")
    args = parser.parse_args(argv)
    if args.command == "doctor":
        from clipq_edu import doctor

        return doctor.run()
    return 2  # pragma: no cover - argparse rejects unknown commands


if __name__ == "__main__":
    sys.exit(main())
