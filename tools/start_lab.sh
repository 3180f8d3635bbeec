#!/usr/bin/env bash
# Starts JupyterLab on the course's first chapter; `make lab` calls it once .venv exists.
#
#   tools/start_lab.sh PYTHON [OPTIONS]   PYTHON is the environment's interpreter (.venv/bin/python);
#                                         OPTIONS go to python -m clipq_edu lab (--ip 0.0.0.0)
#
# Environment:
#   PORT=8888        port to listen on (JupyterLab tries the next ones when it is taken)
#   NO_BROWSER=1     do not try to open a browser (headless machines, tests); copy the URL
#   NOTEBOOK=...     notebook to open, relative to the repository root
#   EDITION=zh       open the Chinese edition (notebooks/zh/00_start_here.ipynb); default en
#
# The launcher itself is `python -m clipq_edu lab` (clipq_edu/_launch.py): the same on every
# platform, Windows included, where there is no make. Safe defaults in every case: 127.0.0.1,
# token on; as root only --allow-root is added.
set -euo pipefail
py="${1:?usage: tools/start_lab.sh PYTHON [--ip ADDRESS]}"
shift
exec "$py" -m clipq_edu lab "$@"
