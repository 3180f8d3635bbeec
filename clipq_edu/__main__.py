"""Command line: ``python -m clipq_edu lab`` starts the course, ``python -m clipq_edu doctor``
checks that this machine can run it. Both work on Linux, macOS and Windows (no ``make``)."""

from __future__ import annotations

import argparse
import sys


def main(argv: list[str] | None = None) -> int:
    """Entry point of ``python -m clipq_edu`` and the ``clipq-edu`` script."""
    import clipq_edu
    from clipq_edu import _launch, _preflight

    if clipq_edu.INSTALL_ERROR is not None:  # the install did not finish: say so, and what to do
        _, lines = _preflight.report()
        print("\n".join(lines))
        print(f"[FAIL] install: {clipq_edu.INSTALL_ERROR.name!r} is missing from this Python "
              f"({sys.executable})")
        route = _preflight.route(*_preflight.here())
        what = (f"pip install -r {route.requirements}, then pip install --no-deps -e ."
                if route.requirements else "use Binder, a JupyterHub or a container (above)")
        print(f"       fix: in the course's virtual environment: {what} (README.md)")
        return 1

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
